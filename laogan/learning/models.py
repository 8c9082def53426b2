"""三个一 (read a good book, write a reflection, do a good deed) per member per year, and the study materials a
centre hands out.

Every row carries the unit path of the member (or, for a material, of the unit that received it), so scoping is an
index range on one column. There are deliberately no points, scores or rankings anywhere: central policy of 2026
forbids scoring members' study, so the records only say who did what, when.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import PATH_MAX, PATH_WIDTH, Role, Unit, subtree_q


def may_see(user):
    return user.is_authenticated and user.sees_personal_data


def may_record(user):
    """Staff, secretaries, administrators and party-group leaders record learning for the members they see."""
    return may_see(user) and user.role in (Role.ADMIN, Role.SECRETARY, Role.STAFF, Role.GROUP_LEADER)


def may_keep_materials(user):
    """Materials are the centre's stock: its staff receive them and hand them out."""
    return may_see(user) and user.role in (Role.ADMIN, Role.SECRETARY, Role.STAFF)


def ancestor_paths(path):
    return [path[:i] for i in range(PATH_WIDTH, len(path) + 1, PATH_WIDTH)]


class MemberRowQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not may_see(user):
            return self.none()
        return self.filter(subtree_q(user.unit.path))

    def in_unit(self, unit):
        return self.filter(subtree_q(unit.path))

    def in_year(self, year):
        return self.filter(year=year)


class MemberRow(models.Model):
    """What the three records share: whose, where in the tree, which year, who wrote it down."""

    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+", verbose_name=_("member"))
    unit_path = models.CharField(max_length=PATH_MAX, editable=False)
    # The year the record counts for, from its date: the grid and the special issue read whole years.
    year = models.PositiveSmallIntegerField(editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MemberRowQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse("learning_member", args=[self.member_id]) + f"?year={self.year}#{self._meta.model_name}-{self.pk}"


class StudyMaterialQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return materials of the user's subtree and of the units above it (a group leader sees the centre's)."""
        if not may_see(user):
            return self.none()
        return self.filter(subtree_q(user.unit.path) | Q(unit_path__in=ancestor_paths(user.unit.path)))

    def with_on_hand(self):
        return self.annotate(handed_out=models.functions.Coalesce(Sum("handouts__copies"), 0))


class StudyMaterial(models.Model):
    """A title the centre received for its members, e.g. 200 copies of a study outline."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("received by"))
    unit_path = models.CharField(max_length=PATH_MAX, editable=False)
    title = models.CharField(_("title"), max_length=150)
    edition = models.CharField(_("edition"), max_length=100, blank=True, help_text=_("Publisher and edition, e.g. 学习出版社 2023年版."))
    copies_received = models.PositiveIntegerField(_("copies received"), validators=[MinValueValidator(1)])
    received_on = models.DateField(_("received on"))
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StudyMaterialQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("study material")
        verbose_name_plural = _("study materials")
        indexes = [models.Index(fields=["unit_path", "received_on"], name="material_scope_day")]

    def __str__(self):
        return f"《{self.title}》" if not self.title.startswith("《") else self.title

    def copies_handed_out(self):
        handed = getattr(self, "handed_out", None)
        if handed is None:
            handed = self.handouts.aggregate(n=Sum("copies"))["n"] or 0
        return handed

    def copies_on_hand(self):
        return self.copies_received - self.copies_handed_out()

    def get_absolute_url(self):
        return reverse("learning_material", args=[self.pk])


class MaterialHandoutQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not may_see(user):
            return self.none()
        return self.filter(subtree_q(user.unit.path))


class MaterialHandout(models.Model):
    """One member received copies of a material: the source's 450 books are the sum of these copies."""

    material = models.ForeignKey(StudyMaterial, models.PROTECT, related_name="handouts")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=PATH_MAX, editable=False)
    handed_on = models.DateField(_("handed out on"))
    copies = models.PositiveSmallIntegerField(_("copies"), default=1, validators=[MinValueValidator(1)])
    # 送学上门: the member cannot come, so the material (and the study) was brought to the home.
    delivered_home = models.BooleanField(_("brought to the home (送学上门)"), default=False)
    handed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MaterialHandoutQuerySet.as_manager()

    class Meta:
        ordering = ["-handed_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["material", "member"], name="handout_once_per_member")]
        indexes = [models.Index(fields=["unit_path", "handed_on"], name="handout_scope_day")]

    def __str__(self):
        return f"{self.material} → {self.member}"

    @property
    def delivered_home_text(self):
        return "是" if self.delivered_home else ""

    def get_absolute_url(self):
        return reverse("learning_material", args=[self.material_id])


class BookReading(MemberRow):
    """读一本好书: a member read a book (a handed-out material, or any other title)."""

    material = models.ForeignKey(StudyMaterial, models.SET_NULL, null=True, blank=True, related_name="readings",
                                 verbose_name=_("study material"))
    book_title = models.CharField(_("book"), max_length=150)
    read_on = models.DateField(_("finished on"))
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    class Meta:
        ordering = ["-read_on", "-id"]
        indexes = [models.Index(fields=["unit_path", "year"], name="reading_scope_year"),
                   models.Index(fields=["member", "year"], name="reading_member_year")]

    def __str__(self):
        return f"《{self.book_title.strip('《》')}》"


class ReflectionQuerySet(MemberRowQuerySet):
    def consented(self):
        return self.filter(consent_to_publish=True, consent_on__isnull=False)


def reflection_path(instance, filename):
    # The stored name is never the uploader's: a random name by year; the display name is kept in `file_name`.
    from django.utils.crypto import get_random_string

    return f"learning/{instance.year}/{get_random_string(20)}{filename[filename.rfind('.'):] if '.' in filename else ''}"


class Reflection(MemberRow):
    """写一篇心得体会: typed text, or a scan/photo/document of the handwritten page — or both."""

    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(upload_to=reflection_path, max_length=200, blank=True)
    file_name = models.CharField(max_length=100, blank=True, editable=False)
    file_kind = models.CharField(max_length=8, blank=True, editable=False)  # lib.documents: image, pdf, docx
    written_on = models.DateField(_("written on"))
    # 口述代笔: a member who can no longer write dictates; the scribe's name is printed with the article.
    dictated = models.BooleanField(_("dictated (口述代笔)"), default=False)
    scribe = models.CharField(_("written down by"), max_length=50, blank=True)
    consent_to_publish = models.BooleanField(_("agrees to publication in the special issue"), default=False)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)

    objects = ReflectionQuerySet.as_manager()

    class Meta:
        ordering = ["-written_on", "-id"]
        indexes = [models.Index(fields=["unit_path", "year"], name="reflection_scope_year"),
                   models.Index(fields=["member", "year"], name="reflection_member_year")]

    def __str__(self):
        return self.title

    @property
    def dictated_text(self):
        return f"是（{self.scribe}代笔）" if self.dictated else ""

    @property
    def consent_text(self):
        return f"{self.consent_on:%Y-%m-%d}同意" if self.consent_to_publish and self.consent_on else ""

    @property
    def has_image(self):
        return bool(self.file) and self.file_kind == "image"

    def get_absolute_url(self):
        return reverse("learning_reflection", args=[self.pk])


class GoodDeed(MemberRow):
    """做一件好事: what the member did, for whom, when."""

    what = models.CharField(_("what was done"), max_length=200)
    for_whom = models.CharField(_("for whom"), max_length=100)
    done_on = models.DateField(_("date"))

    class Meta:
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["unit_path", "year"], name="deed_scope_year"),
                   models.Index(fields=["member", "year"], name="deed_member_year")]

    def __str__(self):
        return self.what
