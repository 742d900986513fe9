-- Staff and hall protection (干部职工防护、大厅防控).
--
-- health_checkins: a clerk's daily health check-in (temperature in tenths
-- of a degree, symptom codes separated by commas), written only by the
-- clerk through internal/protection; fit is false when the clerk was told
-- to stay home. Health data: deleted after the configured retention.
CREATE TABLE health_checkins (
    id                 @ID@,
    user_id            BIGINT NOT NULL,
    day                TEXT NOT NULL CHECK (length(day) = 10),
    temperature_tenths INTEGER NOT NULL CHECK (temperature_tenths BETWEEN 340 AND 430),
    symptoms           TEXT NOT NULL DEFAULT '',
    fit                @BOOL@ NOT NULL,
    recorded_at        @TS@ NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1,
    UNIQUE (user_id, day)
);
CREATE INDEX health_checkins_day ON health_checkins (day);

-- hall_duty_rounds: the hall duty log, one row per round done by the clerk
-- on duty (disinfection of an area, posters and notices checked, masks and
-- gloves). Not health data: kept.
CREATE TABLE hall_duty_rounds (
    id          @ID@,
    day         TEXT NOT NULL CHECK (length(day) = 10),
    kind        TEXT NOT NULL CHECK (kind IN ('disinfection', 'posters', 'masks')),
    area        TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    recorded_by BIGINT NOT NULL,
    recorded_at @TS@ NOT NULL
);
CREATE INDEX hall_duty_rounds_day ON hall_duty_rounds (day, recorded_at);

-- appt_screenings: the health screening of a visitor who booked a counter
-- appointment, at the counter, written by internal/appointment; a failed
-- screening turns the visitor away (the booking is cancelled with
-- turned_away set and a new slot or remote handling is offered). Health
-- data: deleted after the configured retention.
CREATE TABLE appt_screenings (
    id                 @ID@,
    booking_id         BIGINT NOT NULL REFERENCES appt_bookings (id),
    day                TEXT NOT NULL CHECK (length(day) = 10),
    temperature_tenths INTEGER NOT NULL CHECK (temperature_tenths BETWEEN 340 AND 430),
    cough              @BOOL@ NOT NULL,
    passed             @BOOL@ NOT NULL,
    screened_by        BIGINT NOT NULL,
    screened_at        @TS@ NOT NULL
);
CREATE INDEX appt_screenings_day ON appt_screenings (day);
ALTER TABLE appt_bookings ADD COLUMN turned_away @BOOL@ NOT NULL DEFAULT FALSE;
