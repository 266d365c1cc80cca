from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "puente.tasks"
    label = "tasks"

    def ready(self) -> None:
        from puente.core.panels import register

        from .panels import my_tasks_panel

        register(my_tasks_panel)
