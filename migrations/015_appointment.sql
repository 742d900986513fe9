-- Counter appointments (预约): business that truly needs a visit to the hall.
--
-- appt_services lists what may be booked; section '' means any section.
CREATE TABLE appt_services (
    id          @ID@,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    section     TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    active      @BOOL@ NOT NULL DEFAULT TRUE,
    sort_order  INTEGER NOT NULL DEFAULT 0
);

-- A slot is one period at one counter on one day ('YYYY-MM-DD', times
-- 'HH:MM' Shanghai); starts_at is the same start as a UTC instant.
-- booked counts the active bookings and never exceeds capacity: bookings
-- take a place with UPDATE … SET booked = booked + 1 WHERE booked < capacity.
CREATE TABLE appt_slots (
    id         @ID@,
    day        TEXT NOT NULL CHECK (length(day) = 10),
    start_time TEXT NOT NULL CHECK (length(start_time) = 5),
    end_time   TEXT NOT NULL CHECK (length(end_time) = 5 AND end_time > start_time),
    starts_at  @TS@ NOT NULL,
    counter    TEXT NOT NULL DEFAULT '',
    capacity   INTEGER NOT NULL CHECK (capacity >= 0),
    booked     INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
    created_at @TS@ NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1,
    UNIQUE (day, start_time, counter)
);
CREATE INDEX appt_slots_starts ON appt_slots (starts_at);

-- A booking of a slot for a service by a portal user (employer or person).
CREATE TABLE appt_bookings (
    id           @ID@,
    code         TEXT NOT NULL UNIQUE,
    slot_id      BIGINT NOT NULL REFERENCES appt_slots (id),
    service_id   BIGINT NOT NULL REFERENCES appt_services (id),
    day          TEXT NOT NULL,
    user_id      BIGINT NOT NULL,
    name         TEXT NOT NULL,
    phone        TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled', 'attended', 'no_show')),
    created_at   @TS@ NOT NULL,
    cancelled_at @TS@,
    marked_at    @TS@,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX appt_bookings_slot ON appt_bookings (slot_id, status);
CREATE INDEX appt_bookings_user ON appt_bookings (user_id, day);
CREATE INDEX appt_bookings_day ON appt_bookings (day, status);
-- One active booking per user, service and day.
CREATE UNIQUE INDEX appt_bookings_one_active ON appt_bookings (user_id, service_id, day) WHERE status = 'booked';

-- Reminders queued the day before a booking; one per booking. sent_at is
-- set when the notifier accepted it (NULL while only in this outbox).
CREATE TABLE appt_reminders (
    id         @ID@,
    booking_id BIGINT NOT NULL UNIQUE REFERENCES appt_bookings (id),
    user_id    BIGINT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at @TS@ NOT NULL,
    sent_at    @TS@
);
