"""The SMS reminder outbox and per-contact phone status."""

from __future__ import annotations

from legal_tracker.migrations import Dialect


def statements(d: Dialect) -> list[str]:
    ts = "TIMESTAMPTZ NOT NULL"
    return [
        f"""CREATE TABLE reminder (
            id {d.pk},
            hearing {d.fk('hearing', 'CASCADE')},
            hearing_version INTEGER NOT NULL DEFAULT 0,
            contact {d.fk('contact', 'CASCADE')} NOT NULL,
            kind VARCHAR(16) NOT NULL,
            slot INTEGER NOT NULL DEFAULT 0,
            "case" {d.fk('legal_case', 'CASCADE')},
            survivor {d.fk('survivor', 'CASCADE')} NOT NULL,
            office {d.fk('office', 'CASCADE')} NOT NULL,
            timezone VARCHAR(64) NOT NULL,
            send_at {ts},
            status VARCHAR(16) NOT NULL DEFAULT 'pending',
            status_reason VARCHAR(200),
            attempts INTEGER NOT NULL DEFAULT 0,
            lease_owner VARCHAR(64),
            lease_until TIMESTAMPTZ,
            provider VARCHAR(16),
            provider_message_id VARCHAR(64),
            provider_status VARCHAR(32),
            error_code VARCHAR(32),
            error_message TEXT,
            segments INTEGER,
            resend_of INTEGER,
            created_by INTEGER,
            sent_at TIMESTAMPTZ,
            delivered_at TIMESTAMPTZ,
            created_at {ts},
            updated_at {ts},
            UNIQUE (hearing, hearing_version, contact, kind, slot)
        )""",
        "CREATE INDEX reminder_due_idx ON reminder (status, send_at)",
        "CREATE INDEX reminder_hearing_idx ON reminder (hearing, status)",
        "CREATE INDEX reminder_contact_idx ON reminder (contact, status)",
        'CREATE INDEX reminder_case_idx ON reminder ("case", send_at)',
        "CREATE INDEX reminder_provider_id_idx ON reminder (provider_message_id)",
        f"""CREATE TABLE contact_sms_status (
            id {d.pk},
            contact {d.fk('contact', 'CASCADE')} NOT NULL UNIQUE,
            phone_flagged_at TIMESTAMPTZ,
            phone_flag_reason VARCHAR(200),
            flagged_phone_index VARCHAR(64),
            last_delivered_at TIMESTAMPTZ,
            failures INTEGER NOT NULL DEFAULT 0,
            updated_at {ts}
        )""",
    ]
