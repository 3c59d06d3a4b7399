"""Every kind of action the audit records, with its words: the one list the audit page's
filter offers (read from here, not from the audit table, which grows without end).

An action is stored as its kind, or for a directory event as its kind and subject after
a colon ("capacity_changed: service 12"). A test reads every call that writes the audit
and fails when it writes a kind missing here.
"""

from __future__ import annotations

# Records audited as they are flushed (hub/audit_changes.py): "<record>_<verb>".
RECORDS = (
    "child", "referral_form", "user", "organisation", "school", "service", "capacity",
    "need", "lead_practitioner", "child_identity_version", "child_merge",
    "missing_education_case", "details_request", "family", "family_child", "carer",
    "sibling",
)
RECORD_VERBS = ("created", "changed", "deleted")

# Kinds whose stored names say little to a reader; every other kind reads as its name
# with spaces. A referral's page read to act on it: hub/referrals/access.load_referral
# audits "referral_<act>".
_WORDS = {
    "referral_view": "referral read",
    "referral_provider": "referral read by its service, to respond",
    "referral_referrer": "referral read by its school, to act on it",
    "referral_chase": "referral read to remind its service",
}

# Every other kind, by what it concerns.
_NAMED = (
    # Accounts and the audit itself.
    "signed_in", "password_changed", "password_reset_by_link", "two_factor_enrolled",
    "two_factor_removed", "recovery_codes_replaced", "access_refused", "audit_viewed",
    "audit_exported", "subject_access_viewed", "subject_access_exported", "retention_purge",
    "retention_due_viewed", "erasure_previewed", "erasure_refused", "record_erased",
    # A child's record.
    "child_viewed", "child_identity_corrected", "child_identity_versions_viewed",
    "child_identity_correct", "child_merge", "child_merge_undo",
    "child_merge_candidates_viewed", "child_records_merged", "child_record_merged_away",
    "child_merge_undone",
    # Referral forms and referrals.
    "draft_viewed", "draft_deleted", "referral_escalated", "school_reminded",
    "stuck_report_viewed", "earlier_referral_viewed", "details_requested",
    "details_request_viewed", "details_granted", "details_refused",
    # The family record and the family's progress link.
    "family_record_made", "family_record_joined", "carer_added", "carer_corrected",
    "sibling_linked", "sibling_unlinked", "progress_link_issued", "progress_link_revoked",
    "progress_link_sent", "family_viewed_progress",
    # Safeguarding, missing education and attendance.
    "safeguarding_stop", "safeguarding_raised", "safeguarding_decided",
    "safeguarding_outcome", "safeguarding_child_linked", "safeguarding_queue_viewed",
    "safeguarding_viewed", "cme_case_opened", "cme_case_joined", "cme_case_viewed",
    "cme_register_viewed", "cme_action", "attendance_imported", "attendance_import_viewed",
    # Lead practitioners.
    "lead_appointed", "lead_handed_over", "lead_ended", "lead_page_viewed",
    "caseload_viewed",
    # The directory.
    "capacity_confirmed", "hub_requested", "hub_agreed", "hub_declined", "hub_removed",
    "needs_assigned", "need_keywords_changed",
)


def _words(kind: str) -> str:
    return _WORDS.get(kind, kind.replace("_", " "))


ACTIONS: dict[str, str] = {
    kind: _words(kind)
    for kind in (*_WORDS, *_NAMED,
                 *(f"{record}_{verb}" for record in RECORDS for verb in RECORD_VERBS))
}


def action_kind(action: str) -> str:
    """What was done, without the subject a directory event names after a colon:
    "capacity_changed" for "capacity_changed: service 12"."""
    return action.split(":", 1)[0]


def action_words(action: str) -> str:
    """An audit action in words: "referral read by its service, to respond" for
    "referral_provider", "capacity changed: service 12" for "capacity_changed: service 12"."""
    kind, colon, subject = action.partition(":")
    return ACTIONS.get(kind, _words(kind)) + colon + subject


def audit_actions() -> list[str]:
    """Every kind of action, for the audit filter's list, in the order of their words."""
    return sorted(ACTIONS, key=lambda kind: (ACTIONS[kind], kind))
