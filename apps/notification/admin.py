"""Django admin for notification: each member sees only their companies' rows (a platform admin all of them)."""

from django.contrib import admin

from apps.notification.models import SmsAccount
from apps.notification.sms.admin import SmsAccountAdmin

admin.site.register(SmsAccount, SmsAccountAdmin)
