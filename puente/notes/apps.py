from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "puente.notes"
    label = "notes"
