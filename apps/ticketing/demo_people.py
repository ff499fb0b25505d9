"""The travellers of the demo history (demo_history.py): plausible East African names and Kenyan mobile numbers,
drawn from the history's generator."""

from __future__ import annotations

import random

FIRST_NAMES = ["Amina", "Brian", "Cynthia", "David", "Esther", "Faith", "George", "Halima", "Ivan", "Joyce", "Kevin",
               "Lydia", "Moses", "Naliaka", "Otieno", "Purity", "Quincy", "Rose", "Samuel", "Tabitha", "Umar",
               "Violet", "Wanjiru", "Xavier", "Yusuf", "Zawadi", "Achieng", "Baraka", "Chebet", "Kamau"]
LAST_NAMES = ["Otieno", "Mwangi", "Wanjiku", "Kiprop", "Achieng", "Mutua", "Njoroge", "Odhiambo", "Kariuki",
              "Chebet", "Omondi", "Nakato", "Ssempala", "Namutebi", "Barasa", "Wafula", "Kiptoo", "Auma"]


def passenger_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def passenger_phone(rng: random.Random) -> str:
    return f"+2547{rng.randint(0, 99_999_999):08d}"
