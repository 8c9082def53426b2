"""The peer for roster import: a django-import-export Resource for Member, configured as its documentation shows,
reading the same file into the same model with model validation (full_clean) on every row."""

from import_export import fields, resources, widgets

from laogan.lib.crypto import lookup_hash
from laogan.members.models import Member

SEX = {"男": "M", "女": "F"}
CATEGORY = {"离休": "lixiu", "退休": "tuixiu"}


class ChoiceWidget(widgets.CharWidget):
    def __init__(self, mapping):
        super().__init__()
        self.mapping = mapping

    def clean(self, value, row=None, **kwargs):
        return self.mapping.get(str(value).strip(), value)


class MemberResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name="姓名")
    sex = fields.Field(attribute="sex", column_name="性别", widget=ChoiceWidget(SEX))
    birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=widgets.DateWidget("%Y-%m-%d"))
    id_number = fields.Field(attribute="id_number", column_name="身份证号")
    category = fields.Field(attribute="category", column_name="类别", widget=ChoiceWidget(CATEGORY))
    former_unit = fields.Field(attribute="former_unit", column_name="原工作单位")
    address = fields.Field(attribute="address", column_name="现住址")

    def __init__(self, unit):
        super().__init__()
        self.unit = unit

    class Meta:
        model = Member
        fields = ("name", "sex", "birth_date", "id_number", "category", "former_unit", "address")
        import_id_fields = ("id_number",)
        clean_model_instances = True
        skip_unchanged = True

    def get_instance(self, instance_loader, row):
        # The ID number is stored encrypted: the row is matched through its keyed hash, as the app does.
        number = str(row.get("身份证号") or "").strip().upper()
        return Member.objects.filter(id_number_hash=lookup_hash(number)).first() if number else None

    def before_save_instance(self, instance, row, **kwargs):
        instance.unit = self.unit
        instance.refresh_derived()

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.unit = self.unit  # full_clean needs the unit before save
