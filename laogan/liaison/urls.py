from django.urls import path

from .views import cards, partners, roster

urlpatterns = [
    path("", roster.roster_page, name="liaison_roster"),
    path("policy/", roster.policy_save, name="liaison_policy"),
    path("balance/", roster.balance, name="liaison_balance"),
    path("balance/apply/", roster.balance_apply, name="liaison_balance_apply"),
    path("members/<int:pk>/assign/", roster.assign, name="liaison_assign"),
    path("members/<int:pk>/contact/", roster.contact, name="liaison_contact"),
    path("members/<int:pk>/card/", cards.card_member, name="liaison_card_member"),
    path("staff/<int:pk>/", roster.staff_page, name="liaison_staff"),
    path("mine/", roster.my_page, name="liaison_mine"),
    path("not-contacted/", roster.overdue, name="liaison_overdue"),
    path("pairings/", partners.pairings, name="liaison_pairings"),
    path("pairings/new/", partners.pairing_form, name="liaison_pairing_new"),
    path("pairings/<int:pk>/edit/", partners.pairing_form, name="liaison_pairing_edit"),
    path("partners/", partners.partners, name="liaison_partners"),
    path("partners/new/", partners.partner_form, name="liaison_partner_new"),
    path("partners/<int:pk>/", partners.partner_detail, name="liaison_partner"),
    path("partners/<int:pk>/edit/", partners.partner_form, name="liaison_partner_edit"),
    path("partners/<int:partner_pk>/commitments/new/", partners.commitment_form, name="liaison_commitment_new"),
    path("commitments/<int:pk>/edit/", partners.commitment_form, name="liaison_commitment_edit"),
    path("partners/<int:partner_pk>/activities/new/", partners.activity_form, name="liaison_activity_new"),
    path("activities/<int:pk>/", partners.activity_detail, name="liaison_activity"),
    path("activities/<int:pk>/edit/", partners.activity_form, name="liaison_activity_edit"),
    path("activities/<int:pk>/photos/", partners.activity_photos, name="liaison_activity_photos"),
    path("photos/<int:pk>/", partners.photo, name="liaison_photo"),
    path("cards/", cards.cards_page, name="liaison_cards"),
    path("cards/print/", cards.cards_print, name="liaison_cards_print"),
]
