"""The peer for member search: the Django admin changelist with search_fields over the same table.

Admin search is `icontains` on every field in search_fields (OR-ed), the ecosystem's default way to find a row.
It cannot search encrypted columns, so the phone and ID-number searches get the last four digits, the best it can do.
"""

from django.contrib import admin

from laogan.members.models import Member


class BenchAdminSite(admin.AdminSite):
    site_header = "bench"


class MemberAdmin(admin.ModelAdmin):
    list_display = ("name", "sex", "birth_date", "unit", "status")
    list_select_related = ("unit",)
    search_fields = ("name", "name_pinyin", "name_initials", "id_number_last4", "phones__last4")
    list_per_page = 30


site = BenchAdminSite(name="bench_admin")
site.register(Member, MemberAdmin)
