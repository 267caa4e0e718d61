"""Offices, courts, staff, survivors, contacts, cases, hearings, tokens and the audit log."""

from __future__ import annotations

from legal_tracker.migrations import Dialect


def statements(d: Dialect) -> list[str]:
    ts = "TIMESTAMPTZ NOT NULL"
    return [
        f"""CREATE TABLE office (
            id {d.pk},
            name VARCHAR(200) NOT NULL,
            country VARCHAR(2) NOT NULL,
            timezone VARCHAR(64) NOT NULL,
            phone VARCHAR(32),
            sms_sender_name VARCHAR(64),
            reminder_policy {d.json} NOT NULL DEFAULT '{{}}',
            created_at {ts},
            updated_at {ts}
        )""",
        f"""CREATE TABLE court (
            id {d.pk},
            name VARCHAR(200) NOT NULL,
            address VARCHAR(500) NOT NULL DEFAULT '',
            timezone VARCHAR(64) NOT NULL,
            office {d.fk('office')},
            created_at {ts},
            updated_at {ts}
        )""",
        f"""CREATE TABLE staff (
            id {d.pk},
            name VARCHAR(200) NOT NULL,
            email VARCHAR(254) NOT NULL UNIQUE,
            role VARCHAR(16) NOT NULL,
            office {d.fk('office')},
            phone_enc TEXT,
            language VARCHAR(16) NOT NULL DEFAULT 'en',
            password_hash TEXT,
            active BOOLEAN NOT NULL DEFAULT TRUE,
            failed_logins INTEGER NOT NULL DEFAULT 0,
            locked_until TIMESTAMPTZ,
            created_at {ts},
            updated_at {ts}
        )""",
        f"""CREATE TABLE survivor (
            id {d.pk},
            office {d.fk('office')} NOT NULL,
            code VARCHAR(32) NOT NULL,
            legal_name_enc TEXT,
            birth_year INTEGER,
            birth_date DATE,
            language VARCHAR(16) NOT NULL DEFAULT 'en',
            created_by {d.fk('staff', 'SET NULL')},
            created_at {ts},
            updated_at {ts},
            UNIQUE (office, code)
        )""",
        f"""CREATE TABLE contact (
            id {d.pk},
            survivor {d.fk('survivor', 'CASCADE')} NOT NULL,
            name VARCHAR(200) NOT NULL,
            relationship VARCHAR(64) NOT NULL,
            phone_enc TEXT,
            phone_index VARCHAR(64),
            language VARCHAR(16) NOT NULL DEFAULT 'en',
            timezone VARCHAR(64),
            sms_consent_at TIMESTAMPTZ,
            sms_consent_withdrawn_at TIMESTAMPTZ,
            deleted_at TIMESTAMPTZ,
            created_at {ts},
            updated_at {ts}
        )""",
        "CREATE INDEX contact_survivor_idx ON contact (survivor)",
        "CREATE INDEX contact_phone_index_idx ON contact (phone_index)",
        f"""CREATE TABLE legal_case (
            id {d.pk},
            office {d.fk('office')} NOT NULL,
            court {d.fk('court')},
            reference VARCHAR(64) NOT NULL,
            court_case_number VARCHAR(64),
            offence_category VARCHAR(48) NOT NULL DEFAULT 'other',
            status VARCHAR(16) NOT NULL DEFAULT 'investigation',
            outcome VARCHAR(24),
            sentence TEXT,
            sentence_months INTEGER,
            charged_on DATE,
            judgment_on DATE,
            closed_on DATE,
            created_by {d.fk('staff', 'SET NULL')},
            created_at {ts},
            updated_at {ts},
            UNIQUE (office, reference)
        )""",
        "CREATE INDEX legal_case_status_idx ON legal_case (office, status)",
        f"""CREATE TABLE case_staff (
            id {d.pk},
            "case" {d.fk('legal_case', 'CASCADE')} NOT NULL,
            staff {d.fk('staff', 'CASCADE')} NOT NULL,
            UNIQUE ("case", staff)
        )""",
        'CREATE INDEX case_staff_staff_idx ON case_staff (staff, "case")',
        f"""CREATE TABLE case_survivor (
            id {d.pk},
            "case" {d.fk('legal_case', 'CASCADE')} NOT NULL,
            survivor {d.fk('survivor', 'CASCADE')} NOT NULL,
            role VARCHAR(16) NOT NULL DEFAULT 'complainant',
            UNIQUE ("case", survivor)
        )""",
        "CREATE INDEX case_survivor_survivor_idx ON case_survivor (survivor)",
        f"""CREATE TABLE accused (
            id {d.pk},
            "case" {d.fk('legal_case', 'CASCADE')} NOT NULL,
            name VARCHAR(200) NOT NULL,
            status VARCHAR(16) NOT NULL DEFAULT 'at_large'
        )""",
        'CREATE INDEX accused_case_idx ON accused ("case")',
        f"""CREATE TABLE hearing (
            id {d.pk},
            "case" {d.fk('legal_case')} NOT NULL,
            court {d.fk('court')} NOT NULL,
            courtroom VARCHAR(64) NOT NULL DEFAULT '',
            starts_at {ts},
            duration_minutes INTEGER NOT NULL DEFAULT 120,
            kind VARCHAR(16) NOT NULL,
            status VARCHAR(16) NOT NULL DEFAULT 'scheduled',
            survivor_attends BOOLEAN NOT NULL DEFAULT FALSE,
            survivor_testifies BOOLEAN NOT NULL DEFAULT FALSE,
            family_attends BOOLEAN NOT NULL DEFAULT FALSE,
            what_to_bring TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            outcome_notes TEXT,
            next_steps TEXT,
            adjournment_reason VARCHAR(32),
            adjournment_note TEXT,
            cancel_reason TEXT,
            adjourned_to {d.fk('hearing', 'SET NULL')},
            adjourned_from {d.fk('hearing', 'SET NULL')},
            version INTEGER NOT NULL DEFAULT 1,
            created_at {ts},
            updated_at {ts}
        )""",
        "CREATE INDEX hearing_starts_at_idx ON hearing (starts_at, id)",
        "CREATE INDEX hearing_court_idx ON hearing (court, starts_at)",
        'CREATE INDEX hearing_case_idx ON hearing ("case", starts_at)',
        "CREATE INDEX hearing_status_idx ON hearing (status, starts_at)",
        f"""CREATE TABLE hearing_staff (
            id {d.pk},
            hearing {d.fk('hearing', 'CASCADE')} NOT NULL,
            staff {d.fk('staff', 'CASCADE')} NOT NULL,
            UNIQUE (hearing, staff)
        )""",
        "CREATE INDEX hearing_staff_staff_idx ON hearing_staff (staff, hearing)",
        f"""CREATE TABLE hearing_history (
            id {d.pk},
            hearing {d.fk('hearing', 'CASCADE')} NOT NULL,
            at {ts},
            actor INTEGER,
            action VARCHAR(24) NOT NULL,
            version INTEGER NOT NULL,
            from_starts_at TIMESTAMPTZ,
            to_starts_at TIMESTAMPTZ,
            reason VARCHAR(32),
            note TEXT
        )""",
        "CREATE INDEX hearing_history_hearing_idx ON hearing_history (hearing, at)",
        f"""CREATE TABLE auth_token (
            id {d.pk},
            staff {d.fk('staff', 'CASCADE')} NOT NULL,
            token_hash VARCHAR(64) NOT NULL UNIQUE,
            created_at {ts},
            expires_at {ts},
            last_used_at {ts},
            revoked_at TIMESTAMPTZ
        )""",
        f"""CREATE TABLE audit_event (
            id {d.pk},
            at {ts},
            actor INTEGER,
            action VARCHAR(48) NOT NULL,
            entity VARCHAR(48) NOT NULL,
            entity_id VARCHAR(64),
            office INTEGER,
            ip VARCHAR(64),
            user_agent VARCHAR(256),
            detail {d.json} NOT NULL DEFAULT '{{}}'
        )""",
        "CREATE INDEX audit_event_at_idx ON audit_event (at)",
        "CREATE INDEX audit_event_entity_idx ON audit_event (entity, entity_id)",
        "CREATE INDEX audit_event_actor_idx ON audit_event (actor, at)",
    ]
