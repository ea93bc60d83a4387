-- The home-made runtime's reminders went with it: deadlines are grain timers armed from stored state, and
-- Orleans's reminders (in a cluster) live in orleans_reminders (0006).
DROP INDEX IF EXISTS ix_reminders_due;
DROP TABLE IF EXISTS reminders;
