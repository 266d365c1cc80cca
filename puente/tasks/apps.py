from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "puente.tasks"
    label = "tasks"
