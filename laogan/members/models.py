"""The member archive: who each retired cadre is, how to reach them and their family, and their life events."""

import unicodedata
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import PATH_MAX, Unit, subtree_q
from laogan.lib import idcard, lunar, pinyin
from laogan.lib.crypto import SUFFIX_LENGTH, EncryptedTextField, lookup_hash, suffix_hash


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Category(models.TextChoices):
    # 离休: joined the revolution before October 1949; 退休: retired later. Labels stay short: they sit in lists.
    LIXIU = "lixiu", _("Lixiu (pre-1949 service)")
    TUIXIU = "tuixiu", _("Retired")


class BirthdayCustom(models.TextChoices):
    SOLAR = "solar", _("Gregorian calendar")
    LUNAR = "lunar", _("Lunar calendar")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month only")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    IN_HOSPITAL = "in_hospital", _("In hospital")
    DECEASED = "deceased", _("Deceased")


def birthday_q(days):
    """Return a filter for the members whose birthday, by their custom, may fall on one of `days`.

    It narrows in SQL (month and day for solar birthdays, 29 February read as 28 February in common years; the
    lunar month and day for lunar ones, leap month or not, day 30 on the 29th that ends a short month; the month for
    birthdays known to the month only); the caller decides exactly with Member.next_birthday or birthday_in_year.
    """
    solar = {d.month * 100 + d.day for d in days}
    if 228 in solar:
        solar.add(229)
    lunar_days = {}  # {lunar month: the lunar days of birth celebrated on one of `days`}
    for d in days:
        month, day = lunar.lunar_month_day(d)
        celebrated = lunar_days.setdefault(abs(month), set())
        celebrated.add(day)
        if day == 29 and lunar.lunar_month_day(d + timedelta(days=1))[1] == 1:
            celebrated.add(30)  # lib.lunar.to_solar: a day the month does not have is its last day
    lunar_q = models.Q()
    for month, celebrated in sorted(lunar_days.items()):
        lunar_q |= models.Q(lunar_birth_month__in=[month, -month], lunar_birth_day__in=sorted(celebrated))
    known_to_the_month = models.Q()
    for month in sorted({d.month for d in days}):  # one range a month: December and January are not a whole year
        known_to_the_month |= models.Q(birth_md__gte=month * 100, birth_md__lte=month * 100 + 31)
    return (
        models.Q(birthday_custom=BirthdayCustom.SOLAR, birth_md__in=sorted(solar))
        | (models.Q(birthday_custom=BirthdayCustom.LUNAR) & lunar_q)
        | (models.Q(birth_date_precision=DatePrecision.MONTH) & known_to_the_month)
    )


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the members in the user's subtree; bureau viewers and users without a unit see none."""
        if not user.is_authenticated or not user.sees_personal_data:
            return self.none()
        return self.filter(subtree_q(user.unit.path))

    def in_unit(self, unit):
        return self.filter(subtree_q(unit.path))

    def living(self):
        return self.exclude(status=Status.DECEASED)

    def search(self, text):
        """Return members matching a name, full pinyin, pinyin initials, phone suffix or ID-number suffix.

        Every branch is a prefix or exact match on an indexed column, so it stays fast with a million rows.
        """
        q = unicodedata.normalize("NFKC", text or "").strip().replace(" ", "")
        if not q:
            return self
        if q.isdigit() or (len(q) >= 4 and q[:-1].isdigit() and q[-1] in "xX"):
            q = q.upper()
            if len(q) == 18 or len(q) == 15:
                try:
                    return self.filter(id_number_hash=lookup_hash(idcard.parse(q).number))
                except idcard.IdNumberError:
                    return self.none()
            if len(q) < 4:
                return self.none()
            if len(q) >= SUFFIX_LENGTH:
                return self.filter(pk__in=_with_number_suffix(q))
            last4 = q[-4:]
            # One union of three index lookups: as "last4 = x OR pk IN (…) OR pk IN (…)" PostgreSQL scanned every
            # member in scope to test the OR (20 ms at 10^4 members, growing with the table).
            by_id = Member.objects.filter(id_number_last4=last4).values("pk")
            by_phone = MemberPhone.objects.filter(last4=last4).values("member_id")
            by_contact = Contact.objects.filter(phone_last4=last4).values("member_id")
            matches = self.filter(pk__in=by_id.union(by_phone, by_contact))
            if len(q) > 4:
                # The numbers are encrypted, so the fifth digit is checked in Python on the last-4 candidates;
                # prefetched, so that costs three queries however many candidates share the last four digits.
                candidates = matches.prefetch_related("phones", "contacts")
                matches = [m for m in candidates if m.matches_number_suffix(q)]
                return self.filter(pk__in=[m.pk for m in matches])
            return matches
        lowered = q.lower()
        if lowered.isascii() and lowered.isalpha():
            # A union of two index range scans: as "pinyin range OR initials range" the planner read the whole scope.
            by_pinyin = Member.objects.filter(_prefix("name_pinyin", lowered)).values("pk")
            by_initials = Member.objects.filter(_prefix("name_initials", lowered)).values("pk")
            return self.filter(pk__in=by_pinyin.union(by_initials))
        return self.filter(_prefix("name", q))


def _with_number_suffix(q):
    """Return the ids of the members whose ID number, phone or contact phone ends in q (six or more characters).

    Only the numbers whose last six characters have q's keyed hash (crypto.suffix_hash) are read and decrypted — at
    10^6 members a few dozen ID numbers and one or two phones, where some 200 numbers share the last four — and
    each is checked for the whole of q. The three index lookups are one union, fetched here: one round trip, and no
    OR for PostgreSQL to answer by scanning every member in scope (see the last-4 union in search).
    """
    digest = suffix_hash(q)
    # Unordered, each part and the union: the models' default orderings are not allowed inside a union on SQLite,
    # and Member's would be applied to the union's columns, which do not include name_pinyin.
    by_id = Member.objects.filter(id_number_suffix_hash=digest).order_by().values_list("pk", "id_number")
    by_phone = MemberPhone.objects.filter(suffix_hash=digest).order_by().values_list("member_id", "number")
    by_contact = Contact.objects.filter(phone_suffix_hash=digest).order_by().values_list("member_id", "phone")
    candidates = by_id.union(by_phone, by_contact).order_by()
    return sorted({pk for pk, number in candidates if number_ends_with(number, q)})


def number_ends_with(number, digits):
    """Return whether a phone or ID number ends in the digits typed (upper case: an ID number's check X)."""
    return bool(number) and number.upper().endswith(digits)


def _prefix(field, value):
    # A range instead of LIKE: SQLite's LIKE is case-insensitive and skips the index; PostgreSQL's LIKE needs a
    # pattern-ops index under non-C collations. Names and pinyin compare the same way in every collation here.
    # One closed range, not "range OR equal": the OR kept SQLite off the name index, so a name search at 10^5
    # members scanned the whole scope (110 ms instead of 1 ms). The closed end still finds the exact value where a
    # collation ignores U+10FFFF.
    return models.Q(**{f"{field}__gte": value, f"{field}__lte": value + "\U0010ffff"})


class Member(models.Model):
    """One retired cadre in the archive."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="members", verbose_name=_("party group or branch"))
    centre = models.ForeignKey(Unit, models.PROTECT, related_name="+", editable=False)
    unit_path = models.CharField(max_length=PATH_MAX, editable=False)

    name = models.CharField(_("name"), max_length=50)
    name_pinyin = models.CharField(max_length=120, editable=False)
    name_initials = models.CharField(max_length=30, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True, default="汉族")
    birth_date = models.DateField(_("birth date"))
    birth_date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    birthday_custom = models.CharField(_("birthday custom"), max_length=5, choices=BirthdayCustom.choices, default=BirthdayCustom.SOLAR)
    # The lunar birthday (month negative for a leap month), kept so that planning never recomputes it.
    lunar_birth_month = models.SmallIntegerField(null=True, blank=True, editable=False)
    lunar_birth_day = models.SmallIntegerField(null=True, blank=True, editable=False)
    # The solar birthday as month * 100 + day (503 for 3 May): finding the birthdays of some days is an indexed
    # IN, not a date function called on every row (what made the daily visit plan scan its members).
    birth_md = models.SmallIntegerField(default=0, editable=False)

    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, null=True, unique=True, editable=False)
    id_number_last4 = models.CharField(max_length=4, blank=True, db_index=True, editable=False)
    # A keyed hash of the last six characters, for search by six or more (see _with_number_suffix).
    id_number_suffix_hash = models.CharField(max_length=16, blank=True, db_index=True, editable=False)

    category = models.CharField(_("category"), max_length=10, choices=Category.choices, default=Category.LIXIU)
    is_party_member = models.BooleanField(_("party member"), default=True)
    party_join_date = models.DateField(_("party join date"), null=True, blank=True)
    work_start_date = models.DateField(_("work start date"), null=True, blank=True)
    retirement_date = models.DateField(_("retirement date"), null=True, blank=True)
    former_unit = models.CharField(_("former unit"), max_length=100, blank=True)
    former_post = models.CharField(_("former post"), max_length=100, blank=True)
    treatment_level = models.CharField(_("treatment level"), max_length=50, blank=True)

    address = EncryptedTextField(_("home address"), blank=True)
    health_notes = EncryptedTextField(_("health notes"), blank=True)
    lives_alone = models.BooleanField(_("lives alone"), default=False)
    disabled = models.BooleanField(_("disabled"), default=False)
    bedridden = models.BooleanField(_("bedridden"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="members/photos/%Y/", blank=True)

    # Derived from life events by refresh_status(), never typed by hand.
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE, editable=False)
    died_on = models.DateField(_("date of death"), null=True, blank=True, editable=False)
    has_hardship = models.BooleanField(_("family hardship"), default=False, editable=False)

    # The staff member who is this member's fixed liaison (一联多); the liaison app balances and changes it.
    liaison = models.ForeignKey("accounts.User", models.PROTECT, null=True, blank=True, related_name="liaison_members",
                                verbose_name=_("liaison"), editable=False)
    # The last time anyone of the centre was in touch (call, visit, request); apps record it with note_contact().
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: an edit made on a stale copy is refused instead of overwriting someone else's change.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["name_pinyin", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [
            models.Index(fields=["unit_path", "name_pinyin"], name="member_scope_pinyin"),
            models.Index(fields=["name"], name="member_name"),
            models.Index(fields=["name_pinyin"], name="member_pinyin"),
            models.Index(fields=["name_initials"], name="member_initials"),
            models.Index(fields=["centre", "status"], name="member_centre_status"),
            models.Index(fields=["unit", "status"], name="member_unit_status"),
            models.Index(fields=["liaison", "status"], name="member_liaison_status"),
            models.Index(fields=["centre", "last_contact_at"], name="member_centre_contact"),
            models.Index(fields=["centre", "updated_at"], name="member_centre_updated"),  # the daily visit plan
            models.Index(fields=["centre", "birth_md"], name="member_centre_birthday"),
            models.Index(fields=["centre", "lunar_birth_month"], name="member_centre_lunar_birthday"),
        ]

    def __str__(self):
        return self.name

    # -- derived fields -------------------------------------------------------------------------------------------
    def refresh_derived(self):
        """Recompute the fields that follow from others (pinyin, unit path, lunar birthday, ID hash)."""
        self.name = (self.name or "").strip().replace(" ", "").replace("\u3000", "")
        self.name_pinyin = pinyin.full(self.name)
        self.name_initials = pinyin.initials(self.name)
        if self.unit_id:
            self.unit_path = self.unit.path
            self.centre_id = self.unit.centre_id
        self.birth_md = self.birth_date.month * 100 + self.birth_date.day if self.birth_date else 0
        if self.birth_date and self.birth_date_precision == DatePrecision.DAY:
            self.lunar_birth_month, self.lunar_birth_day = lunar.lunar_month_day(self.birth_date)
        else:
            self.lunar_birth_month = self.lunar_birth_day = None
        if self.id_number:
            self.id_number = idcard.normalize(self.id_number)
            self.id_number_hash = lookup_hash(self.id_number)
            self.id_number_last4 = self.id_number[-4:]
        else:
            self.id_number_hash = None
            self.id_number_last4 = ""
        self.id_number_suffix_hash = suffix_hash(self.id_number)

    def clean(self):
        errors = {}
        if self.id_number:
            try:
                parsed = idcard.parse(self.id_number)
            except idcard.IdNumberError as e:
                errors["id_number"] = str(e)
            else:
                self.id_number = parsed.number
                if self.birth_date and self.birth_date_precision == DatePrecision.DAY and parsed.birth_date != self.birth_date:
                    errors["birth_date"] = _("The ID number gives the birth date %(date)s.") % {"date": parsed.birth_date.isoformat()}
                elif self.birth_date and (parsed.birth_date.year, parsed.birth_date.month) != (self.birth_date.year, self.birth_date.month):
                    errors["birth_date"] = _("The ID number gives the birth date %(date)s.") % {"date": parsed.birth_date.isoformat()}
                if self.sex and parsed.sex != self.sex:
                    errors["sex"] = _("The ID number belongs to a %(sex)s.") % {"sex": Sex(parsed.sex).label}
                dup = Member.objects.filter(id_number_hash=lookup_hash(parsed.number)).exclude(pk=self.pk).first()
                if dup:
                    errors["id_number"] = _("This ID number already belongs to %(name)s.") % {"name": dup.name}
        if self.unit_id and self.unit.kind not in ("branch", "group"):
            errors["unit"] = _("A member belongs to a branch or a party group.")
        if self.birth_date and self.party_join_date and self.party_join_date < self.birth_date:
            errors["party_join_date"] = _("The party join date is before the birth date.")
        if errors:
            raise ValidationError(errors)

    # -- rules about one member ------------------------------------------------------------------------------------
    def age_on(self, day):
        """Return the age in full years (周岁) on a day."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    @property
    def age(self):
        from django.utils.timezone import localdate

        return self.age_on(localdate())

    @property
    def is_deceased(self):
        return self.status == Status.DECEASED

    @property
    def masked_id_number(self):
        return idcard.mask(self.id_number)

    @property
    def living_situation(self):
        labels = []
        if self.lives_alone:
            labels.append(_("lives alone"))
        if self.disabled:
            labels.append(_("disabled"))
        if self.bedridden:
            labels.append(_("bedridden"))
        return labels

    @property
    def lunar_birthday_text(self):
        if self.lunar_birth_month is None:
            return ""
        return lunar.month_day_text(self.lunar_birth_month, self.lunar_birth_day)

    def birthday_in_year(self, year):
        """Return the day this member celebrates their birthday in calendar year `year` by their custom.

        Solar: 29 February falls on 28 February in common years. Lunar: the birthday of lunar year `year` (which
        may fall in January or February of the next Gregorian year); see lib.lunar.to_solar for leap months and day 30.
        """
        if self.birthday_custom == BirthdayCustom.LUNAR and self.lunar_birth_month is not None:
            return lunar.to_solar(year, self.lunar_birth_month, self.lunar_birth_day)
        try:
            return self.birth_date.replace(year=year)
        except ValueError:
            return date(year, 2, 28)

    def next_birthday(self, after):
        """Return the first birthday on or after `after`."""
        for year in (after.year - 1, after.year, after.year + 1):
            day = self.birthday_in_year(year)
            if day >= after:
                return day
        return self.birthday_in_year(after.year + 2)

    def matches_number_suffix(self, digits):
        numbers = [self.id_number] + [p.number for p in self.phones.all()] + [c.phone for c in self.contacts.all()]
        return any(number_ends_with(n, digits) for n in numbers)

    def status_from_events(self, events):
        """Return (status, died_on, has_hardship) for a list of this member's life events."""
        ordered = sorted(events, key=lambda e: (e.date, e.pk or 0))
        died = next((e.date for e in ordered if e.kind == EventKind.DIED), None)
        if died:
            return Status.DECEASED, died, False
        in_hospital = hardship = False
        for e in ordered:
            if e.kind == EventKind.ADMITTED:
                in_hospital = True
            elif e.kind == EventKind.DISCHARGED:
                in_hospital = False
            elif e.kind == EventKind.HARDSHIP_REPORTED:
                hardship = True
            elif e.kind == EventKind.HARDSHIP_RESOLVED:
                hardship = False
        return (Status.IN_HOSPITAL if in_hospital else Status.ACTIVE), None, hardship


class PhoneLabel(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    HOME = "home", _("Home")
    WORK = "work", _("Work")
    OTHER = "other", _("Other")


class MemberPhone(models.Model):
    member = models.ForeignKey(Member, models.CASCADE, related_name="phones")
    label = models.CharField(_("label"), max_length=10, choices=PhoneLabel.choices, default=PhoneLabel.MOBILE)
    number = EncryptedTextField(_("number"))
    last4 = models.CharField(max_length=4, db_index=True, editable=False)
    suffix_hash = models.CharField(max_length=16, blank=True, db_index=True, editable=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def refresh_derived(self):
        """Normalise the number and recompute what search reads: the last four and the keyed suffix hash."""
        self.number = normalize_phone(self.number)
        self.last4 = self.number[-4:]
        self.suffix_hash = suffix_hash(self.number)

    def save(self, *args, **kwargs):
        self.refresh_derived()
        super().save(*args, **kwargs)

    @property
    def masked(self):
        return mask_phone(self.number)


class Contact(models.Model):
    """A family member or emergency contact."""

    member = models.ForeignKey(Member, models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=50)
    relationship = models.CharField(_("relationship"), max_length=20)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_last4 = models.CharField(max_length=4, blank=True, db_index=True, editable=False)
    phone_suffix_hash = models.CharField(max_length=16, blank=True, db_index=True, editable=False)
    lives_with_member = models.BooleanField(_("lives with the member"), default=False)
    is_emergency = models.BooleanField(_("emergency contact"), default=False)

    class Meta:
        ordering = ["-is_emergency", "id"]

    def save(self, *args, **kwargs):
        self.phone = normalize_phone(self.phone)
        self.phone_last4 = self.phone[-4:] if self.phone else ""
        self.phone_suffix_hash = suffix_hash(self.phone)
        super().save(*args, **kwargs)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)


def normalize_phone(text):
    text = unicodedata.normalize("NFKC", text or "").strip()
    for ch in " -()（）":
        text = text.replace(ch, "")
    if text.startswith("+86"):
        text = text[3:]
    return text


def validate_phone(text):
    """Raise ValidationError unless text is a mainland mobile or a fixed-line number."""
    import re

    number = normalize_phone(text)
    if re.fullmatch(r"1[3-9]\d{9}", number) or re.fullmatch(r"0\d{2,3}\d{7,8}", number) or re.fullmatch(r"\d{7,8}", number):
        return number
    raise ValidationError(_("“%(number)s” is not a mobile (11 digits starting with 1) or a fixed-line number."), params={"number": text})


def mask_phone(number):
    if not number:
        return ""
    if len(number) >= 11:
        return number[:3] + "****" + number[-4:]
    return "*" * (len(number) - 4) + number[-4:]


class EventKind(models.TextChoices):
    ADMITTED = "admitted", _("Admitted to hospital")
    DISCHARGED = "discharged", _("Discharged from hospital")
    HARDSHIP_REPORTED = "hardship_reported", _("Family hardship reported")
    HARDSHIP_RESOLVED = "hardship_resolved", _("Family hardship resolved")
    DIED = "died", _("Died")


class LifeEvent(models.Model):
    """A dated event in a member's life; the member's status follows from these."""

    member = models.ForeignKey(Member, models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    date = models.DateField(_("date"))
    hospital = models.CharField(_("hospital"), max_length=100, blank=True)
    ward = models.CharField(_("ward"), max_length=50, blank=True)
    cause = models.CharField(_("cause"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["member", "date"]), models.Index(fields=["kind", "date"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"
