import pytest
from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer
from channels.testing import WebsocketCommunicator

from apps.auth import api
from apps.auth.jwt.websocket import PrincipalMiddleware
from apps.auth.services import devices
from apps.auth.services.sessions import access_token_for
from apps.auth.tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


class WhoAmI(JsonWebsocketConsumer):
    def connect(self):
        principal = self.scope["principal"]
        self.accept(subprotocol=self.scope["subprotocols"][0] if self.scope["subprotocols"] else None)
        self.send_json({"kind": str(principal.kind), "user_id": str(principal.user_id)})


def _who(headers=None, subprotocols=None) -> dict:
    async def talk():
        communicator = WebsocketCommunicator(PrincipalMiddleware(WhoAmI.as_asgi()), "/ws/who",
                                             headers=headers or [], subprotocols=subprotocols or [])
        connected, _ = await communicator.connect()
        assert connected
        message = await communicator.receive_json_from()
        await communicator.disconnect()
        return message

    return async_to_sync(talk)()


def test_a_bearer_header_becomes_the_users_principal():
    user = make_user()

    who = _who(headers=[(b"authorization", f"Bearer {access_token_for(user)}".encode())])

    assert who == {"kind": "user", "user_id": str(user.pk)}


def test_a_bearer_subprotocol_becomes_the_users_principal():
    user = make_user()

    who = _who(subprotocols=["bearer", access_token_for(user)])

    assert who == {"kind": "user", "user_id": str(user.pk)}


def test_a_device_credential_becomes_a_device_principal(company_a, admin_a):
    driver = make_user(roles={company_a: ["driver"]})
    registered = devices.device_register(principal=api.principal_for_user(user_id=admin_a.pk), company_id=company_a,
                                         user_id=driver.pk, role="driver", name="Phone")

    who = _who(subprotocols=["device", registered.credential])

    assert who == {"kind": "device", "user_id": str(driver.pk)}


def test_a_bad_or_missing_token_is_anonymous():
    assert _who(subprotocols=["bearer", "junk"]) == {"kind": "anonymous", "user_id": "None"}
    assert _who() == {"kind": "anonymous", "user_id": "None"}
