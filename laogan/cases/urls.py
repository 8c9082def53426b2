from django.urls import path

from .views import edits, pages, survivors

urlpatterns = [
    path("", pages.case_list, name="case_list"),
    path("new/", pages.case_new, name="case_new"),
    path("figures/", pages.case_figures, name="case_figures"),
    path("<int:pk>/", pages.case_detail, name="case_detail"),
    path("<int:pk>/attachments/<int:attachment_pk>/", pages.attachment, name="case_attachment"),
    path("<int:pk>/edit/", edits.edit, name="case_edit"),
    path("<int:pk>/steps/<int:step_pk>/done/", edits.step_done, name="case_step_done"),
    path("<int:pk>/steps/<int:step_pk>/skip/", edits.step_skip, name="case_step_skip"),
    path("<int:pk>/steps/add/", edits.step_add, name="case_step_add"),
    path("<int:pk>/close/", edits.close, name="case_close"),
    path("<int:pk>/reopen/", edits.reopen, name="case_reopen"),
    path("<int:pk>/owner/", edits.change_owner, name="case_owner"),
    path("<int:pk>/notes/", edits.add_note, name="case_note"),
    path("<int:pk>/people/", edits.add_party, name="case_party_add"),
    path("<int:pk>/people/<int:party_pk>/remove/", edits.remove_party, name="case_party_remove"),
    path("<int:pk>/people/<int:party_pk>/phone/", edits.reveal_party_phone, name="case_party_phone"),
    path("<int:pk>/help/", edits.add_help, name="case_help"),
    path("<int:pk>/attach/", edits.attach, name="case_attach"),
    path("<int:pk>/grants/", edits.grant, name="case_grant"),
    path("<int:pk>/grants/<int:user_pk>/revoke/", edits.revoke, name="case_revoke"),
    path("survivors/", survivors.survivor_list, name="survivor_list"),
    path("survivors/new/<int:member_pk>/", survivors.survivor_new, name="survivor_new"),
    path("survivors/<int:pk>/visit/", survivors.survivor_visit, name="survivor_visit"),
    path("survivors/<int:pk>/stop/", survivors.survivor_active, {"active": False}, name="survivor_stop"),
    path("survivors/<int:pk>/resume/", survivors.survivor_active, {"active": True}, name="survivor_resume"),
    path("survivors/<int:pk>/phone/", survivors.survivor_phone, name="survivor_phone"),
]
