"""Identity's tables: users, roles (bundles of permissions), company memberships, devices, the security log.

Companies live in the company app; identity sits below it and stores only `company_id`.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import Permission, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str | None = None, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str | None = None, password: str | None = None, **fields) -> User:
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)

    def _create(self, email: str | None, password: str | None, **fields) -> User:
        user = self.model(email=self.normalize_email(email) if email else None, **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True, null=True, blank=True)
    phone = models.CharField(max_length=16, unique=True, null=True, blank=True, help_text="E.164, e.g. +254708374149")
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    global_roles: models.ManyToManyField[Role, Any] = models.ManyToManyField(
        "Role", blank=True, related_name="global_holders", help_text="Roles that hold in every company."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="identity_user_has_email_or_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.email or self.phone or str(self.id)


class Role(models.Model):
    """A named bundle of permissions. Code checks the permissions, never the name."""

    PLATFORM_ADMIN = "platform_admin"
    COMPANY_ADMIN = "company_admin"
    DISPATCHER = "dispatcher"
    AGENT = "agent"
    DRIVER = "driver"
    PASSENGER = "passenger"
    COMPANY_ROLES = (COMPANY_ADMIN, DISPATCHER, AGENT, DRIVER)
    DEVICE_ROLES = (AGENT, DRIVER)

    name = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=100)
    is_global = models.BooleanField(default=False, help_text="Held across every company, not per company.")
    permissions = models.ManyToManyField(Permission, blank=True, related_name="identity_roles")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label


class Membership(models.Model):
    """A user's standing in one company: the roles they hold there."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    company_id = models.UUIDField(db_index=True)
    roles = models.ManyToManyField(Role, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "company_id"], name="identity_membership_once")]
        permissions = [
            ("view_members", "May list the members of a company"),
            ("manage_members", "May change the roles of a company's members and remove them"),
            ("invite_staff", "May invite staff into a company"),
            ("view_contacts", "May read any user's contact details (notification handlers)"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.company_id}"


class Device(models.Model):
    """A POS terminal or driver phone: acts for one company and one user, with one role's permissions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField(db_index=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="devices")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="devices")
    name = models.CharField(max_length=100)
    credential_hash = models.CharField(max_length=64, unique=True, help_text="sha256 of the credential, hex.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("manage_devices", "May register, list and revoke a company's devices")]

    def __str__(self) -> str:
        return f"{self.name} ({self.company_id})"


class SecurityEvent(models.Model):
    """Append-only security log: sign-ins, token reuse, role changes, device changes."""

    class Kind(models.TextChoices):
        LOGIN_SUCCEEDED = "login_succeeded"
        LOGIN_FAILED = "login_failed"
        REFRESH_REUSED = "refresh_reused"
        USER_REGISTERED = "user_registered"
        USER_DEACTIVATED = "user_deactivated"
        ROLES_CHANGED = "roles_changed"
        MEMBER_REMOVED = "member_removed"
        DEVICE_REGISTERED = "device_registered"
        DEVICE_REVOKED = "device_revoked"
        RATE_LIMITED = "rate_limited"
        STAFF_INVITED = "staff_invited"
        INVITATION_ACCEPTED = "invitation_accepted"
        PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105 (an event name, not a secret)
        PASSWORD_RESET_DONE = "password_reset_done"  # noqa: S105 (an event name, not a secret)

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.UUIDField(null=True, blank=True, help_text="The user who acted, when known.")
    subject_user_id = models.UUIDField(null=True, blank=True, help_text="The user acted upon, when any.")
    company_id = models.UUIDField(null=True, blank=True, db_index=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["subject_user_id", "-at"], name="identity_sec_subject_idx")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class AccountToken(models.Model):
    """A single-use, expiring secret sent to a person: a staff invitation or a password reset.

    Only the sha256 of the token is stored, with the salt identity derives it from when the notification
    app asks for the link (services/account_tokens.py); events carry the row's id, never the token.
    """

    class Purpose(models.TextChoices):
        INVITATION = "invitation"
        PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a secret)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    salt = models.CharField(max_length=64, blank=True, default="",
                            help_text="With identity's link secret, derives the token; empty on older rows.")
    company_id = models.UUIDField(null=True, blank=True, help_text="Invitations: the company invited into.")
    roles = models.JSONField(default=list, blank=True, help_text="Invitations: the role names granted.")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose"], name="identity_token_user_idx")]
        permissions = [("send_account_links", "Can obtain invitation and password-reset links to send them")]

    def __str__(self) -> str:
        return f"{self.purpose} for {self.user}"
