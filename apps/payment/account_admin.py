"""The admin of companies' provider accounts: credentials entered through a form of the provider's own fields and
saved only by services.accounts.account_save (encrypted). A secret is never rendered back: its input is always
empty (blank keeps the stored one) and the change page shows it masked.

The provider is chosen first (a page of links to the add form, ?provider=...) and fixed from then on.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar
from uuid import UUID

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html

from apps.company import api as company_api
from apps.payment import credentials
from apps.payment.admin_support import holds, rows_where_held
from apps.payment.models import Provider, ProviderAccount
from apps.payment.permissions import MANAGE_ACCOUNTS, RECONCILE_PAYMENTS
from apps.payment.providers import registry
from apps.payment.services import accounts, reconciliation
from transport.credentials import credentials_shown
from transport.errors import ValidationFailed
from transport.money import EXPONENTS
from transport.scoped_admin import CompanyScopedAdmin, admin_principal

CREDENTIAL_PREFIX = "credential_"
KEEP_HELP = "Leave blank to keep the stored value."


def rates_text(rates: dict[str, str]) -> str:
    """{"KES": "0.0077"} -> "KES=0.0077", a line per currency."""
    return "\n".join(f"{currency}={rate}" for currency, rate in sorted(rates.items()))


def rates_parsed(text: str) -> dict[str, str]:
    """Lines of "CURRENCY=rate" (blank lines skipped), checked by accounts.rates_checked."""
    rates = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        currency, sign, rate = line.partition("=")
        if not sign or not currency.strip() or not rate.strip():
            raise forms.ValidationError(f'Line {number} is not "CURRENCY=rate" (KES=0.0077).')
        rates[currency.strip().upper()] = rate.strip()
    try:
        return accounts.rates_checked(rates)
    except ValidationFailed as exc:
        raise forms.ValidationError(str(exc)) from None


class ProviderAccountForm(forms.ModelForm):
    """Set per admin request (see ProviderAccountAdmin.get_form): the provider, and on add the companies the
    account may belong to."""

    provider_id: ClassVar[str] = ""
    company_choices: ClassVar[list[tuple[str, str]]] = []

    conversion_rates = forms.CharField(
        label="Conversion rates", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text='The company\'s rates for booking currencies the provider cannot charge, one a line: '
                  '"KES=0.0077" charges 1 KES as 0.0077 of the account\'s currency.')

    class Meta:
        model = ProviderAccount
        fields = ["environment", "label", "active", "conversion_currency"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        adding = self.instance._state.adding
        self.stored: dict[str, str] = {}
        self.unreadable = False
        if adding:
            self.fields["company_id"] = forms.TypedChoiceField(label="Company", choices=self.company_choices,
                                                               coerce=UUID)
            self.fields["provider"] = forms.ChoiceField(choices=Provider.choices, initial=self.provider_id,
                                                        disabled=True)
        else:
            try:
                self.stored = credentials.decrypt(self.instance.credentials_encrypted)
            except credentials.CredentialsUnreadable:
                self.unreadable = True
            self.initial["conversion_rates"] = rates_text(self.instance.conversion_rates)
        # none is required here: providers declare no required fields (some have defaults, some serve refunds
        # only), and a call missing one fails at the provider
        for field in registry.provider(self.provider_id).credential_fields:
            name = CREDENTIAL_PREFIX + field.name
            if field.secret:
                # never render_value: the stored secret is not sent to the browser, not even in a failed POST
                self.fields[name] = forms.CharField(label=field.label, required=False,
                                                    widget=forms.PasswordInput(render_value=False),
                                                    help_text="" if adding else KEEP_HELP)
            else:
                self.fields[name] = forms.CharField(label=field.label, required=False,
                                                    initial=self.stored.get(field.name, ""),
                                                    help_text="" if adding else KEEP_HELP)

    def clean_conversion_currency(self) -> str:
        currency = str(self.cleaned_data.get("conversion_currency", "")).strip().upper()
        if currency and currency not in EXPONENTS:
            raise forms.ValidationError(f"Unknown currency {currency!r}.")
        return currency

    def clean_conversion_rates(self) -> dict[str, str]:
        return rates_parsed(self.cleaned_data.get("conversion_rates", ""))

    def clean(self) -> dict[str, Any]:
        values = super().clean() or {}
        if self.unreadable:
            raise forms.ValidationError("The stored credentials cannot be read with the configured "
                                        "PAYMENT_CREDENTIALS_KEYS; they cannot be changed until they can.")
        company_id = self.instance.company_id if not self.instance._state.adding else values.get("company_id")
        if values.get("active") and company_id and ProviderAccount.objects.filter(
                company_id=company_id, provider=self.provider_id, active=True).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("The company already has an active account with this provider; "
                                        "deactivate it first.")
        return values

    def credential_values(self) -> dict[str, str]:
        return {name.removeprefix(CREDENTIAL_PREFIX): str(value) for name, value in self.cleaned_data.items()
                if name.startswith(CREDENTIAL_PREFIX)}


class ProviderAccountAdmin(CompanyScopedAdmin):
    """Company admins manage their companies' accounts (payment.manage_accounts); others may only look."""

    list_display = ["company", "provider", "environment", "label", "active"]
    list_filter = ["provider", "environment", "active"]
    search_fields = ["label"]
    actions = ["reconcile_yesterday"]
    choose_provider_template = "admin/payment/provideraccount/choose_provider.html"

    # --- who may do what -------------------------------------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and holds(request, MANAGE_ACCOUNTS)

    def has_change_permission(self, request: HttpRequest, obj: ProviderAccount | None = None) -> bool:
        return super().has_change_permission(request, obj) and holds(
            request, MANAGE_ACCOUNTS, None if obj is None else obj.company_id)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # payments refer to accounts: an account is deactivated, never deleted

    def has_reconcile_permission(self, request: HttpRequest) -> bool:
        return holds(request, RECONCILE_PAYMENTS)

    def company_choices(self, request: HttpRequest) -> list[tuple[str, str]]:
        """The companies in which the user may manage accounts, by name."""
        held = None if request.user.is_superuser else admin_principal(request).companies_with(MANAGE_ACCOUNTS)
        return company_api.company_choices(company_ids=held)

    # --- the pages -------------------------------------------------------------------------------------------

    @admin.display(description="Company")
    def company(self, obj: ProviderAccount) -> str:
        return company_api.company_settings(company_id=obj.company_id).name

    @admin.display(description="Stored credentials")
    def stored_credentials(self, obj: ProviderAccount) -> str:
        try:
            stored = credentials.decrypt(obj.credentials_encrypted)
        except credentials.CredentialsUnreadable:
            return "Unreadable with the configured keys."
        return credentials_shown(stored, registry.provider(obj.provider).credential_fields)

    @admin.display(description="Conversion rates")
    def rates(self, obj: ProviderAccount) -> str:
        return format_html("<pre>{}</pre>", rates_text(obj.conversion_rates))

    def chosen_provider(self, request: HttpRequest) -> str | None:
        chosen = request.GET.get("provider", "")
        return chosen if chosen in self.providers() else None

    @staticmethod
    def providers() -> dict[str, str]:
        return {value: str(label) for value, label in ProviderAccount._meta.get_field("provider").choices or ()
                if value in registry.identifiers()}

    def add_view(self, request: HttpRequest, form_url: str = "",
                 extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if self.chosen_provider(request) is not None or not self.has_add_permission(request):
            return super().add_view(request, form_url, extra_context)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": "Choose the provider",
                   "providers": sorted(self.providers().items(), key=lambda pair: pair[1])}
        return TemplateResponse(request, self.choose_provider_template, context)

    def get_fields(self, request: HttpRequest, obj: ProviderAccount | None = None) -> list[Any]:
        if obj is None:
            provider = self.chosen_provider(request) or ""
            return ["company_id", "provider", "environment", "label", "active",
                    *self._credential_names(provider), "conversion_rates", "conversion_currency"]
        if not self.has_change_permission(request, obj):
            return ["company", "provider", "environment", "label", "active", "stored_credentials", "rates",
                    "conversion_currency"]
        return ["company", "provider", "environment", "label", "active", "stored_credentials",
                *self._credential_names(obj.provider), "conversion_rates", "conversion_currency"]

    def get_readonly_fields(self, request: HttpRequest, obj: ProviderAccount | None = None) -> list[str]:
        return [] if obj is None else ["company", "provider", "stored_credentials", "rates"]

    def get_form(self, request: HttpRequest, obj: ProviderAccount | None = None, change: bool = False,
                 **kwargs: Any) -> type[ProviderAccountForm]:
        provider = obj.provider if obj is not None else self.chosen_provider(request)
        if provider is None:
            raise PermissionDenied("Choose the provider first.")
        choices = self.company_choices(request) if obj is None else []
        return type("ProviderAccountForm", (ProviderAccountForm,), {"provider_id": provider,
                                                                     "company_choices": choices})

    @staticmethod
    def _credential_names(provider: str) -> list[str]:
        if not provider:
            return []
        return [CREDENTIAL_PREFIX + field.name for field in registry.provider(provider).credential_fields]

    def save_model(self, request: HttpRequest, obj: ProviderAccount, form: ProviderAccountForm,
                   change: bool) -> None:
        """Through account_save only (it encrypts); `obj` then becomes the saved row, for the admin's log."""
        values = form.cleaned_data
        company_id = obj.company_id if change else values["company_id"]
        if not holds(request, MANAGE_ACCOUNTS, company_id):
            raise PermissionDenied("You may not manage this company's payment accounts.")
        saved = accounts.account_save(
            company_id=company_id, provider=form.provider_id, environment=values["environment"],
            values=form.credential_values(), label=values["label"], conversion_rates=values["conversion_rates"],
            conversion_currency=values["conversion_currency"], account_id=obj.pk if change else None,
            active=values["active"])
        for field in ProviderAccount._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    # --- actions ---------------------------------------------------------------------------------------------

    @admin.action(description="Reconcile yesterday", permissions=["reconcile"])
    def reconcile_yesterday(self, request: HttpRequest, queryset: QuerySet[ProviderAccount]) -> None:
        mine = rows_where_held(request, queryset, RECONCILE_PAYMENTS)
        results: Counter[str] = Counter()
        for account in mine.order_by("id"):
            run = reconciliation.account_day_reconcile(
                account_id=account.id, day=reconciliation.yesterday(company_id=account.company_id),
                started_by=f"user:{request.user.pk}")
            results["checked"] += run.checked
            results["mismatches"] += run.mismatches
            results["accounts"] += 1
        if not results["accounts"]:
            self.message_user(request, "You may not reconcile any of the chosen accounts.", messages.WARNING)
            return
        self.message_user(request, f"Reconciled yesterday of {results['accounts']} account(s): "
                                   f"{results['checked']} payment(s) checked, {results['mismatches']} mismatched.")
