"""The admin of companies' own wording of messages: each member sees their companies' overrides, company admins
write them (notification.manage_templates). A save goes through services.template_override_save, so a template
that would not render is a form error and is never stored. The change page previews the saved template with the
kind's sample values: the SMS with its encoding, size, segments and estimated cost, or the email as sent.

The add page starts from the platform's wording when the kind, channel and language are in its address
(?kind=ticket_confirmed&channel=sms&language=fr)."""

from __future__ import annotations

from typing import Any, ClassVar, cast
from uuid import UUID

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from apps.company import api as company_api
from apps.notification.templating import services
from apps.notification.templating.compiling import ALLOWED_FILTERS, ALLOWED_TAGS
from apps.notification.templating.defaults import MessageTemplate, default_template
from apps.notification.templating.kinds import KINDS
from apps.notification.templating.models import TemplateOverride
from apps.notification.templating.permissions import MANAGE_TEMPLATES
from apps.notification.templating.preview import SmsPreview, template_preview
from apps.notification.templating.render import RenderedMessage, TemplateBroken
from apps.notification.templating.validation import override_problems
from transport.scoped_admin import CompanyScopedAdmin, admin_principal

KEY_FIELDS = ("kind", "channel", "language")


def _holds(request: HttpRequest, company_id: UUID | None = None) -> bool:
    """Whether the signed-in user may write templates (in `company_id`, when given): a superuser may."""
    return bool(request.user.is_superuser) or admin_principal(request).has(MANAGE_TEMPLATES, company_id=company_id)


LANGUAGE_HELP = format_html(
    "The SMS, or the email's plain-text part. Django's template language, cut down: {} for a value of the "
    "message; the tags {}; the filters {}.", "{{ name }}", ", ".join(f"{{% {tag} %}}" for tag in ALLOWED_TAGS),
    ", ".join(ALLOWED_FILTERS))


def kinds_help() -> str:
    """Each kind of message: what it is for, its channels and the values its templates may use."""
    return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{} ({}{}). Values: {}</dd>", (
        (kind.name, kind.description, ", ".join(kind.channels), "" if kind.essential else "; not essential",
         ", ".join(kind.variables)) for kind in KINDS.values())))


def _company_name(company_id: UUID) -> str:
    return company_api.company_settings(company_id=company_id).name


class TemplateOverrideForm(forms.ModelForm):
    """Set per admin request (TemplateOverrideAdmin.get_form): on add, the companies the override may belong to."""

    company_choices: ClassVar[list[tuple[str, str]]] = []

    class Meta:
        model = TemplateOverride
        fields = ["kind", "channel", "language", "subject", "body", "html_body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8, "cols": 100}),
                   "html_body": forms.Textarea(attrs={"rows": 14, "cols": 100})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "body" in self.fields:
            self.fields["body"].help_text = LANGUAGE_HELP
        if "kind" in self.fields:
            self.fields["kind"].help_text = kinds_help()
        if self.instance._state.adding:
            self.fields["company_id"] = forms.TypedChoiceField(label="Company", choices=self.company_choices,
                                                               coerce=UUID)
            self.order_fields(["company_id", *self.Meta.fields])

    def key(self) -> dict[str, Any]:
        """The override's company, kind, channel and language: chosen on add, fixed after."""
        if self.instance._state.adding:
            return {name: self.cleaned_data.get(name) for name in ("company_id", *KEY_FIELDS)}
        return {name: getattr(self.instance, name) for name in ("company_id", *KEY_FIELDS)}

    def clean(self) -> dict[str, Any]:
        values = super().clean() or {}
        key = self.key()
        if None in key.values() or "" in key.values():
            return values  # a field error already says what is missing
        problems = override_problems(kind=key["kind"], channel=key["channel"], language=key["language"],
                                     subject=values.get("subject", ""), body=values.get("body", ""),
                                     html_body=values.get("html_body", ""))
        for field, messages in problems.items():
            self.add_error(field if field in self.fields else None, messages)
        return values  # a second override of the same message: the model's unique constraint says so


class TemplateOverrideAdmin(CompanyScopedAdmin):
    list_display = ["company", "kind", "channel", "language", "updated_at"]
    list_filter = ["kind", "channel", "language"]
    ordering = ["kind", "channel", "language"]
    actions = ["delete_selected"]

    # --- who may do what -------------------------------------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and _holds(request)

    def has_change_permission(self, request: HttpRequest, obj: TemplateOverride | None = None) -> bool:
        return super().has_change_permission(request, obj) and _holds(request, None if obj is None else obj.company_id)

    def has_delete_permission(self, request: HttpRequest, obj: TemplateOverride | None = None) -> bool:
        return super().has_delete_permission(request, obj) and _holds(request, None if obj is None else obj.company_id)

    def company_choices(self, request: HttpRequest) -> list[tuple[str, str]]:
        """The companies in which the user may write templates, by name."""
        held = None if request.user.is_superuser else admin_principal(request).companies_with(MANAGE_TEMPLATES)
        ids = company_api.company_ids() if held is None else sorted(held, key=str)
        return sorted(((str(company_id), _company_name(company_id)) for company_id in ids), key=lambda pair: pair[1])

    # --- the pages -------------------------------------------------------------------------------------------

    @admin.display(description="Company")
    def company(self, obj: TemplateOverride) -> str:
        return _company_name(obj.company_id)

    def get_fields(self, request: HttpRequest, obj: TemplateOverride | None = None) -> list[Any]:
        if obj is None:
            return ["company_id", *KEY_FIELDS, "subject", "body", "html_body"]
        return ["company", *KEY_FIELDS, "values", "subject", "body", "html_body", "updated_at", "preview"]

    def get_readonly_fields(self, request: HttpRequest, obj: TemplateOverride | None = None) -> list[str]:
        if obj is None:
            return []
        return ["company", *KEY_FIELDS, "values", "updated_at", "preview"]

    def get_form(self, request: HttpRequest, obj: TemplateOverride | None = None, change: bool = False,
                 **kwargs: Any) -> type[TemplateOverrideForm]:
        kwargs["form"] = type("TemplateOverrideForm", (TemplateOverrideForm,),
                              {"company_choices": self.company_choices(request) if obj is None else []})
        return cast(type[TemplateOverrideForm], super().get_form(request, obj, change, **kwargs))

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """On add with kind, channel and language in the address: the platform's wording to start from."""
        initial = dict(super().get_changeform_initial_data(request))
        kind, channel, language = (request.GET.get(name, "") for name in KEY_FIELDS)
        if kind in KINDS and channel in KINDS[kind].channels:
            found = default_template(kind=kind, channel=channel, language=language)
            if found is not None:
                initial.update(subject=found.subject, body=found.body, html_body=found.html_body)
        return initial

    @admin.display(description="Values it may use")
    def values(self, obj: TemplateOverride) -> str:
        """The kind's values with the sample of each, as the preview fills them in."""
        sample = KINDS[obj.kind].sample_in(obj.language)
        return format_html("<dl>{}</dl>", format_html_join("", "<dt>{{{{ {} }}}}</dt><dd>{}</dd>",
                                                           ((name, str(sample[name])) for name in sample)))

    @admin.display(description="Preview with sample values")
    def preview(self, obj: TemplateOverride) -> str:
        template = MessageTemplate(language=obj.language, subject=obj.subject, body=obj.body,
                                   html_body=obj.html_body)
        try:
            shown = template_preview(kind=obj.kind, channel=obj.channel, template=template,
                                     company_name=_company_name(obj.company_id))
        except TemplateBroken as exc:  # saved before a rule it breaks: messages use the platform's wording
            return format_html("<p>This template cannot render, so messages use the platform's wording: {}</p>",
                               str(exc))
        return _sms_html(shown) if isinstance(shown, SmsPreview) else _email_html(shown)

    # --- writes, through the service -------------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: TemplateOverride, form: TemplateOverrideForm,
                   change: bool) -> None:
        """`obj` then becomes the saved row, for the admin's log."""
        key = form.key()
        if not _holds(request, key["company_id"]):
            raise PermissionDenied("You may not write this company's messages.")
        values = form.cleaned_data
        saved = services.template_override_save(
            company_id=key["company_id"], kind=key["kind"], channel=key["channel"], language=key["language"],
            subject=values.get("subject", ""), body=values.get("body", ""), html_body=values.get("html_body", ""),
            updated_by=request.user.pk, override_id=obj.pk if change else None)
        for field in TemplateOverride._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: TemplateOverride) -> None:
        services.template_override_delete(override_id=obj.pk, company_id=obj.company_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TemplateOverride]) -> None:
        for override_id, company_id in queryset.values_list("id", "company_id"):
            if _holds(request, company_id):
                services.template_override_delete(override_id=override_id, company_id=company_id)


def _sms_html(shown: SmsPreview) -> str:
    rows = [("Encoding", shown.encoding), ("Characters", shown.characters),
            ("Units", f"{shown.units} ({'septets' if shown.encoding == 'GSM-7' else 'UTF-16 code units'})"),
            ("Segments", shown.segments),
            ("Estimated cost", "; ".join(f"{backend}: {cost}" for backend, cost in shown.costs)),
            ("Characters that forced UCS-2", " ".join(shown.non_gsm) or "none")]
    return format_html('<pre style="white-space:pre-wrap;max-width:40em;">{}</pre><table>{}</table>', shown.text,
                       format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows))


def _email_html(shown: RenderedMessage) -> str:
    return format_html(
        '<p><strong>Subject:</strong> {}</p><pre style="white-space:pre-wrap;max-width:60em;">{}</pre>'
        '<iframe title="The HTML part" sandbox srcdoc="{}" style="width:100%;max-width:680px;height:520px;'
        'border:1px solid #ccc;"></iframe>', shown.subject, shown.text, shown.html)


admin.site.register(TemplateOverride, TemplateOverrideAdmin)
