"""The org tree (bureau → centre → branch → party group), users with one role at one unit, and the audit log."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laogan.lib.crypto import EncryptedTextField

# A unit's path is its ancestors' ids, each zero-padded to PATH_WIDTH digits. Digits only, so range queries on an
# ordinary B-tree index find a subtree on SQLite and on PostgreSQL under any collation.
PATH_WIDTH = 9
PATH_MAX = PATH_WIDTH * 8  # deep enough for province → city → district → centre → branch → group


def subtree_q(path, field="unit_path"):
    """Return a Q selecting rows whose `field` lies in the subtree that starts at `path`."""
    return models.Q(**{f"{field}__gte": path, f"{field}__lte": path + "9" * (PATH_MAX - len(path))})


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("Bureau")
    CENTRE = "centre", _("Centre")
    BRANCH = "branch", _("Branch")
    GROUP = "group", _("Party group")


# Which kind of unit may sit under which.
CHILD_KINDS = {
    None: {UnitKind.BUREAU},
    UnitKind.BUREAU: {UnitKind.BUREAU, UnitKind.CENTRE},
    UnitKind.CENTRE: {UnitKind.BRANCH},
    UnitKind.BRANCH: {UnitKind.GROUP},
    UnitKind.GROUP: set(),
}


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or user.unit_id is None:
            return self.none()
        return self.filter(subtree_q(user.unit.path, "path"))

    def subtree(self, unit):
        return self.filter(subtree_q(unit.path, "path"))

    def groups(self):
        return self.filter(kind=UnitKind.GROUP)


class Unit(models.Model):
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Use lower-case letters, digits and hyphens."))],
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=UnitKind.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent unit"))
    path = models.CharField(max_length=PATH_MAX, db_index=True, editable=False, default="")
    # The centre this unit belongs to (itself for a centre); None for a bureau. Members carry it for figures.
    centre = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="+", editable=False)
    hotline = models.CharField(_("service hotline"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.name

    def clean(self):
        parent_kind = self.parent.kind if self.parent_id else None
        if self.kind not in CHILD_KINDS[parent_kind]:
            raise ValidationError({"kind": _("A %(kind)s cannot sit under this unit.") % {"kind": self.get_kind_display()}})
        if self.pk and self.parent_id and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("A unit cannot be moved under itself.")})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = self.compute_path()
        centre_id = self.compute_centre_id()
        if path != self.path or centre_id != self.centre_id:
            self.path, self.centre_id = path, centre_id
            Unit.objects.filter(pk=self.pk).update(path=path, centre_id=centre_id)

    def compute_path(self):
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.pk:0{PATH_WIDTH}d}"

    def compute_centre_id(self):
        if self.kind == UnitKind.CENTRE:
            return self.pk
        if self.kind == UnitKind.BUREAU or not self.parent_id:
            return None
        return self.parent.centre_id

    @property
    def depth(self):
        return len(self.path) // PATH_WIDTH

    def ancestors(self):
        ids = [int(self.path[i : i + PATH_WIDTH]) for i in range(0, len(self.path) - PATH_WIDTH, PATH_WIDTH)]
        units = Unit.objects.in_bulk(ids)
        return [units[i] for i in ids if i in units]

    def contains(self, other_path):
        return other_path.startswith(self.path)

    @property
    def display_hotline(self):
        if self.hotline:
            return self.hotline
        if self.centre_id and self.centre_id != self.pk:
            return self.centre.hotline
        return ""


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SECRETARY = "secretary", _("Secretary")
    STAFF = "staff", _("Staff (liaison)")
    GROUP_LEADER = "group_leader", _("Party-group leader")
    VIEWER = "viewer", _("Bureau viewer")


class LaoganUserManager(UserManager):
    def visible_to(self, user):
        if not user.is_authenticated or user.unit_id is None:
            return self.none()
        return self.filter(subtree_q(user.unit.path, "unit__path"))


class User(AbstractUser):
    """A person who logs in: attached to one unit with one role, and sees that unit's subtree."""

    full_name = models.CharField(_("name"), max_length=50, blank=True)
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    work_phone = models.CharField(_("work phone"), max_length=30, blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    # Granted by an admin: may reveal full ID numbers (secretaries and admins always may).
    may_reveal_id = models.BooleanField(_("may reveal ID numbers"), default=False)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # Set by an admin: this user must log in with a one-time code too (roles can be required in settings).
    totp_required = models.BooleanField(_("must use a one-time code"), default=False,
                                        help_text=_("Log-in asks for the 6-digit code from a phone app after the password."))

    objects = LaoganUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username

    @property
    def sees_personal_data(self):
        """Bureau viewers see aggregate figures only."""
        return self.is_authenticated and self.is_active and self.unit_id is not None and self.role != Role.VIEWER

    @property
    def can_edit_members(self):
        return self.sees_personal_data and self.role in (Role.ADMIN, Role.SECRETARY, Role.STAFF)

    @property
    def can_reveal_id(self):
        return self.sees_personal_data and (self.role in (Role.ADMIN, Role.SECRETARY) or self.may_reveal_id)

    @property
    def can_manage_users(self):
        return self.is_active and self.unit_id is not None and self.role == Role.ADMIN

    @property
    def can_read_audit(self):
        return self.is_active and self.unit_id is not None and self.role in (Role.ADMIN, Role.SECRETARY)

    @property
    def must_use_totp(self):
        """True when this user may not work without a second factor (per-user flag or LAOGAN_TOTP_REQUIRED_ROLES)."""
        from django.conf import settings

        return self.totp_required or self.role in getattr(settings, "LAOGAN_TOTP_REQUIRED_ROLES", ())

    @property
    def can_import(self):
        return self.sees_personal_data and self.role in (Role.ADMIN, Role.SECRETARY)


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    REVEAL = "reveal", _("Revealed personal data")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOGOUT = "logout", _("Logged out")
    PASSWORD = "password", _("Password changed or reset")


class AuditQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.can_read_audit:
            return self.none()
        scope = subtree_q(user.unit.path, "unit_path")
        if user.role == Role.ADMIN and user.unit.parent_id is None:
            # Entries tied to no unit (a failed log-in under an unknown name) belong to the top of the tree;
            # without this nobody could see someone guessing at user names.
            scope |= models.Q(unit_path="")
        return self.filter(scope)

    def update(self, **kwargs):
        raise TypeError("Audit entries are never changed")

    def delete(self):
        raise TypeError("Audit entries are never deleted")


class AuditEntry(models.Model):
    """One thing someone did, kept as written: never edited, never deleted by the application."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user"))
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("record type"), max_length=50, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    # The unit the record belongs to, so a secretary sees the audit of their own subtree only.
    unit_path = models.CharField(max_length=PATH_MAX, blank=True, default="")
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["unit_path", "at"]),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "at"]),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are never deleted")


class AuditSubject(models.Model):
    """One record an audit entry touched besides its own object: each member of an export or an import.

    The personal-data access report asks "which entries touched member 123?"; with one narrow row per (entry, record)
    that is a single range scan on (object_type, object_id) however many members there are, where a JSON list in the
    entry would need a full scan (SQLite) or a GIN index (PostgreSQL only). An export of 100 000 members writes
    100 000 rows of three columns in bulk, which is cheap next to writing the spreadsheet itself.
    """

    entry = models.ForeignKey(AuditEntry, models.DO_NOTHING, related_name="subjects", db_constraint=False)
    object_type = models.CharField(max_length=50)
    object_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id", "entry"], name="audit_subject_object")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit entries are never changed")
        super().save(*args, **kwargs)


class TotpDevice(models.Model):
    """A user's authenticator app (RFC 6238): the shared secret, encrypted at rest, and the last step used."""

    user = models.OneToOneField(User, models.CASCADE, related_name="totp")
    secret = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The highest 30-second step accepted so far: a code of that step or an earlier one is a replay.
    last_step = models.BigIntegerField(default=0)


class RecoveryCode(models.Model):
    """A single-use code for when the phone is lost; only a keyed hash is kept, the code is shown once."""

    user = models.ForeignKey(User, models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "code_hash"], name="recovery_code_user_hash")]


class KeyRotationCheckpoint(models.Model):
    """How far `rotate_field_keys` got in one table for one newest key, so a killed run resumes where it stopped."""

    key_id = models.CharField(max_length=16)  # a fingerprint of the newest key, never the key
    table = models.CharField(max_length=100)  # model label, e.g. members.member
    last_pk = models.BigIntegerField(default=0)
    done = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key_id", "table"], name="key_rotation_checkpoint_unique")]


class LoginFailure(models.Model):
    """A wrong password, counted per account and per address to lock out guessing (see lockout.py)."""

    key = models.CharField(max_length=200)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="login_failure_key_at")]
