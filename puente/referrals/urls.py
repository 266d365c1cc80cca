from django.urls import path

from . import partner, public, views

app_name = "referrals"
urlpatterns = [
    path("patients/<uuid:patient_pk>/referrals/", views.patient_referrals, name="patient_list"),
    path("patients/<uuid:patient_pk>/referrals/new/", views.referral_new, name="new"),
    path("patients/<uuid:patient_pk>/resources/", views.patient_resources, name="resources"),
    path("referrals/", views.my_referrals, name="mine"),
    path("referrals/<uuid:pk>/", views.referral_detail, name="detail"),
    path("referrals/<uuid:pk>/send/", views.referral_send, name="send"),
    path("referrals/<uuid:pk>/status/", views.referral_status, name="status"),
    path("referrals/<uuid:pk>/outcome/", views.referral_outcome, name="outcome"),
    path("partner/referrals/", partner.partner_list, name="partner_list"),
    path("partner/referrals/<uuid:pk>/", partner.partner_detail, name="partner_detail"),
    path("partner/referrals/<uuid:pk>/status/", partner.partner_status, name="partner_status"),
    path("r/<str:token>/", public.checkback, name="checkback"),
]

# The patient's referral sheet (PDF); appended so that this file's list above stays as it is.
from . import sheet  # noqa: E402

urlpatterns += [path("referrals/<uuid:pk>/sheet.pdf", sheet.referral_sheet, name="sheet")]
