"""A change counter for calendar feeds (issue 14 item 14: the 304 path in one query).

``feed_generation`` holds one row whose ``n`` grows with every committed write to a table a
calendar feed is made from (``FEED_TABLES``): hearings and who accompanies them, courts,
cases and who is assigned to them, staff, offices, survivors and the deadline sources
(immigration applications, identity documents, deadlines entered by hand). The feed's token
lookup reads ``n`` in the same query; when it has not moved since this process last worked out
the feed's ETag, nothing the feed shows can have changed, and a conditional request is
answered without the aggregate state query (``calendars.render.prepare_feed``).

The count must become visible in the same commit as the change it counts, never before:
a reader that saw the new count but the old rows would remember a stale ETag. So

* on SQLite a plain trigger updates the row in the writing transaction (one writer at a time);
* on PostgreSQL a *deferred* constraint trigger updates it at commit time, once per
  transaction. Taking the row's lock last, at commit, means a writer holding it waits for
  nothing else: the counter can never be part of a deadlock.
"""

from __future__ import annotations

from legal_tracker.migrations import Dialect

FEED_TABLES = ("hearing", "hearing_staff", "court", "legal_case", "case_staff", "case_survivor",
               "staff", "office", "survivor", "immigration_application", "identity_document",
               "deadline")


def statements(d: Dialect) -> list[str]:
    out = [
        f"CREATE TABLE feed_generation (id INTEGER PRIMARY KEY, n {d.bigint} NOT NULL)",
        "INSERT INTO feed_generation (id, n) VALUES (1, 0)",
    ]
    if d.name == "sqlite":
        for table in FEED_TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                out.append(
                    f"CREATE TRIGGER feed_generation_{table}_{event.lower()} AFTER {event} ON "
                    f"{table} BEGIN UPDATE feed_generation SET n = n + 1 WHERE id = 1; END")
        return out
    out.append(
        """CREATE OR REPLACE FUNCTION feed_generation_bump() RETURNS trigger AS $$
           BEGIN
             IF current_setting('legal_tracker.feed_bumped', true)
                IS DISTINCT FROM txid_current()::text THEN
               UPDATE feed_generation SET n = n + 1 WHERE id = 1;
               PERFORM set_config('legal_tracker.feed_bumped', txid_current()::text, true);
             END IF;
             RETURN NULL;
           END $$ LANGUAGE plpgsql""")
    for table in FEED_TABLES:
        out.append(
            f"CREATE CONSTRAINT TRIGGER feed_generation_bump AFTER INSERT OR UPDATE OR DELETE "
            f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION feed_generation_bump()")
    return out
