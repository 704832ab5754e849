# flake8: noqa

# import apis into api package
from evalvault_api.api.access_api import AccessApi
from evalvault_api.api.audit_api import AuditApi
from evalvault_api.api.exports_api import ExportsApi
from evalvault_api.api.memory_api import MemoryApi
from evalvault_api.api.notifications_api import NotificationsApi
from evalvault_api.api.operations_api import OperationsApi
from evalvault_api.api.registry_api import RegistryApi
from evalvault_api.api.runs_api import RunsApi
from evalvault_api.api.schedules_api import SchedulesApi

