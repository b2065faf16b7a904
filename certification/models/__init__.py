"""Certification models, by concern: ``programme`` (programmes, versions, requirements),
``logbook`` (supervised scans) and ``certificate`` (certificates, audit log, reminders)."""

from certification.models.certificate import (
    AuditEvent,
    Certificate,
    ExpiryReminder,
    new_verification_code,
)
from certification.models.choices import (
    Adequacy,
    AuditAction,
    CertificateStatus,
    EntryStatus,
    ExamType,
    RequirementKind,
    RequirementStage,
)
from certification.models.logbook import LogbookEntry
from certification.models.programme import Programme, ProgrammeVersion, Requirement

__all__ = [
    "Adequacy",
    "AuditAction",
    "AuditEvent",
    "Certificate",
    "CertificateStatus",
    "EntryStatus",
    "ExamType",
    "ExpiryReminder",
    "LogbookEntry",
    "Programme",
    "ProgrammeVersion",
    "Requirement",
    "RequirementKind",
    "RequirementStage",
    "new_verification_code",
]
