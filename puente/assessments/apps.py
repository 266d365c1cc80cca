from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "puente.assessments"
    label = "assessments"
