from django.urls import path

from . import views

app_name = "notes"
urlpatterns = [
    path("patients/<uuid:patient_pk>/notes/", views.note_list, name="list"),
    path("patients/<uuid:patient_pk>/notes/new/", views.note_start, name="start"),
    path("notes/<uuid:pk>/", views.note_detail, name="detail"),
    path("notes/<uuid:pk>/edit/", views.note_edit, name="edit"),
    path("notes/<uuid:pk>/autosave/", views.note_autosave, name="autosave"),
    path("notes/<uuid:pk>/sign/", views.note_sign, name="sign"),
    path("notes/<uuid:pk>/cosign/", views.note_cosign, name="cosign"),
    path("notes/<uuid:pk>/addenda/", views.addendum_add, name="addendum_add"),
    path("notes/phrases/", views.phrase_list, name="phrases"),
    path("notes/templates/", views.template_list, name="templates"),
    path("notes/templates/new/", views.template_add, name="template_add"),
    path("notes/templates/<uuid:pk>/", views.template_edit, name="template_edit"),
    path("notes/templates/<uuid:pk>/active/", views.template_set_active, name="template_set_active"),
]
