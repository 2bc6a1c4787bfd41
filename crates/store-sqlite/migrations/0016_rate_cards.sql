-- A bank's own rate card (hourly rates by grade and pay point, JSON), where it has set one; a
-- bank without one pays by the default card (Agenda for Change 2025/26, England).
CREATE TABLE rate_cards (
    bank_id BLOB PRIMARY KEY REFERENCES banks (id),
    body TEXT NOT NULL
);
