"""The admin of companies' SMS accounts: the gateway, the sender id and the gateway's credentials, saved only by
accounts.sms_account_save (encrypted). A secret is never rendered back: its input is always empty (blank keeps
the stored one) and the change page shows it masked. An Africa's Talking account's page shows the delivery-report
URL to paste into its dashboard.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.html import format_html

from apps.company import api as company_api
from apps.notification.models import SmsAccount, SmsGateway
from apps.notification.sms import accounts, credentials, registry, report_urls
from apps.notification.sms.permissions import MANAGE_SMS_ACCOUNTS
from transport.credentials import credentials_shown
from transport.errors import ValidationFailed
from transport.scoped_admin import CompanyScopedAdmin, admin_principal

KEEP_HELP = "Leave blank to keep the stored value."


def credential_input(backend: str, field: str) -> str:
    """The form field of one gateway's credential: "africastalking__api_key"."""
    return f"{backend}__{field}"


def holds(request: HttpRequest, company_id: UUID | None = None) -> bool:
    """Whether the signed-in user may manage SMS accounts (of `company_id`, when given)."""
    if request.user.is_superuser:
        return True
    return admin_principal(request).has(MANAGE_SMS_ACCOUNTS, company_id=company_id)


class SmsAccountForm(forms.ModelForm):
    """Both gateways' credential inputs, each saved only for the gateway chosen. Set per request (see
    SmsAccountAdmin.get_form): the companies an account may be added for."""

    company_choices: ClassVar[list[tuple[str, str]]] = []

    class Meta:
        model = SmsAccount
        fields = ["backend", "sender_id", "enabled"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        adding = self.instance._state.adding
        self.unreadable = False
        stored: dict[str, str] = {}
        if adding:
            self.fields["company_id"] = forms.TypedChoiceField(label="Company", choices=self.company_choices,
                                                               coerce=UUID)
        else:
            try:
                stored = credentials.decrypt(self.instance.credentials_encrypted)
            except credentials.CredentialsUnreadable:
                self.unreadable = True
        for backend, cls in registry.BACKENDS.items():
            same = not adding and self.instance.backend == backend
            for field in cls.credential_fields:
                label = f"{cls.verbose_name}: {field.label}"
                help_text = KEEP_HELP if same else f"Needed when the gateway is {cls.verbose_name}."
                if field.secret:
                    # never render_value: the stored secret is not sent to the browser, not even in a failed POST
                    widget: forms.Widget = forms.PasswordInput(render_value=False)
                    initial = ""
                else:
                    widget, initial = forms.TextInput(), stored.get(field.name, "") if same else ""
                self.fields[credential_input(backend, field.name)] = forms.CharField(
                    label=label, required=False, widget=widget, initial=initial, help_text=help_text)

    def company(self) -> UUID | None:
        return self.instance.company_id if not self.instance._state.adding else self.cleaned_data.get("company_id")

    def credential_values(self) -> dict[str, str]:
        """The chosen gateway's credentials as entered (blank: keep the stored one)."""
        backend = self.cleaned_data.get("backend", "")
        fields = registry.BACKENDS[backend].credential_fields if backend in registry.BACKENDS else ()
        return {field.name: str(self.cleaned_data.get(credential_input(backend, field.name), ""))
                for field in fields}

    def clean(self) -> dict[str, Any]:
        values = super().clean() or {}
        if self.unreadable:
            raise forms.ValidationError("The stored credentials cannot be read with the configured "
                                        "NOTIFICATION_CREDENTIALS_KEYS; they cannot be changed until they can.")
        company_id = self.company()
        if company_id is None or "backend" not in values:
            return values
        if self.instance._state.adding and SmsAccount.objects.filter(company_id=company_id).exists():
            raise forms.ValidationError("The company already has an SMS account; change that one.")
        try:
            accounts.sms_account_checked(company_id=company_id, backend=values["backend"],
                                         sender_id=values.get("sender_id", ""), values=self.credential_values())
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                target = name if name in ("backend", "sender_id") else credential_input(values["backend"], name)
                self.add_error(target if target in self.fields else None, messages)
            if not exc.fields:
                raise forms.ValidationError(exc.detail) from None
        return values


class SmsAccountAdmin(CompanyScopedAdmin):
    """Company admins manage their companies' accounts (notification.manage_sms_accounts); others may look."""

    list_display = ["company", "backend", "sender_id", "enabled"]
    list_filter = ["backend", "enabled"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and holds(request)

    def has_change_permission(self, request: HttpRequest, obj: SmsAccount | None = None) -> bool:
        return super().has_change_permission(request, obj) and holds(
            request, None if obj is None else obj.company_id)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # disabled, never deleted: what sent a company's past messages stays on record

    def company_choices(self, request: HttpRequest) -> list[tuple[str, str]]:
        """The companies in which the user may manage SMS accounts, by name."""
        held = None if request.user.is_superuser else admin_principal(request).companies_with(MANAGE_SMS_ACCOUNTS)
        return company_api.company_choices(company_ids=held)

    @admin.display(description="Company")
    def company(self, obj: SmsAccount) -> str:
        return company_api.company_settings(company_id=obj.company_id).name

    @admin.display(description="Stored credentials")
    def stored_credentials(self, obj: SmsAccount) -> str:
        try:
            stored = credentials.decrypt(obj.credentials_encrypted)
        except credentials.CredentialsUnreadable:
            return "Unreadable with the configured keys."
        return credentials_shown(stored, registry.backend_class(obj.backend).credential_fields)

    @admin.display(description="Delivery report URL")
    def report_url(self, obj: SmsAccount) -> str:
        if obj.backend == SmsGateway.AFRICASTALKING:
            return format_html("<code>{}</code><p>Paste it as the SMS delivery reports callback URL in the "
                               "account's Africa's Talking dashboard.</p>",
                               report_urls.africastalking_report_url(company_id=obj.company_id))
        return "Given to Twilio with every message (StatusCallback); nothing to set up."

    def get_fields(self, request: HttpRequest, obj: SmsAccount | None = None) -> list[Any]:
        inputs = [credential_input(backend, field.name) for backend, cls in registry.BACKENDS.items()
                  for field in cls.credential_fields]
        if obj is None:
            return ["company_id", "backend", "sender_id", "enabled", *inputs]
        if not self.has_change_permission(request, obj):
            return ["company", "backend", "sender_id", "enabled", "stored_credentials", "report_url"]
        return ["company", "backend", "sender_id", "enabled", "stored_credentials", "report_url", *inputs]

    def get_readonly_fields(self, request: HttpRequest, obj: SmsAccount | None = None) -> list[str]:
        return [] if obj is None else ["company", "stored_credentials", "report_url"]

    def get_form(self, request: HttpRequest, obj: SmsAccount | None = None, change: bool = False,
                 **kwargs: Any) -> type[SmsAccountForm]:
        choices = self.company_choices(request) if obj is None else []
        return type("SmsAccountForm", (SmsAccountForm,), {"company_choices": choices})

    def save_model(self, request: HttpRequest, obj: SmsAccount, form: SmsAccountForm, change: bool) -> None:
        """Through sms_account_save only (it encrypts); `obj` then becomes the saved row, for the admin's log."""
        company_id = form.company()
        if company_id is None or not holds(request, company_id):
            raise PermissionDenied("You may not manage this company's SMS account.")
        values = form.cleaned_data
        saved = accounts.sms_account_save(company_id=company_id, backend=values["backend"],
                                          sender_id=values.get("sender_id", ""), values=form.credential_values(),
                                          enabled=values["enabled"])
        for field in SmsAccount._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False


admin.site.register(SmsAccount, SmsAccountAdmin)
