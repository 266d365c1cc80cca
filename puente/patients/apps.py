from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "puente.patients"
    label = "patients"
