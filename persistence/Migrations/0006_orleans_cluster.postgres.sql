-- Orleans cluster tables, PostgreSQL only (the Migrator records this script on SQLite without running it).
-- Microsoft.Orleans.Clustering.AdoNet (membership) and Microsoft.Orleans.Reminders.AdoNet (reminders) run no SQL
-- of their own: at start each reads "SELECT QueryKey, QueryText FROM OrleansQuery" and then runs the query stored
-- under a fixed key with named parameters (@DeploymentId, @Version, @GrainHash...). They read result columns by
-- name, so every query names its columns as the provider does ("Version", "StartTime"...); the tables keep ours.
-- Times are timestamptz here, not Unix milliseconds as elsewhere: the providers bind and read UTC DateTime values.
-- A query is one statement, so PostgreSQL runs its reads and writes atomically without an explicit transaction.

-- Unquoted, the provider's OrleansQuery, QueryKey and QueryText fold to lower case, as they do here.
CREATE TABLE OrleansQuery (
    QueryKey        TEXT PRIMARY KEY,
    QueryText       TEXT NOT NULL
);

-- Membership -------------------------------------------------------------------------------------------------

-- One row per cluster; @DeploymentId is Orleans's ClusterId. version is the membership protocol's table version:
-- a silo row is inserted or changed only by a statement that names the version its writer read and raises it,
-- so of two silos writing from the same read exactly one succeeds and the other re-reads.
CREATE TABLE orleans_membership_versions (
    cluster_id      TEXT PRIMARY KEY,
    version         INTEGER NOT NULL,
    changed_at      TIMESTAMPTZ NOT NULL
);

-- One row per silo incarnation: a silo restarted on the same address and port comes back with a new generation.
-- status is Orleans's SiloStatus (3 Active, 6 Dead...); suspect_times is the provider's "silo,time|silo,time" list
-- of death votes.
CREATE TABLE orleans_silos (
    cluster_id      TEXT NOT NULL REFERENCES orleans_membership_versions (cluster_id) ON DELETE CASCADE,
    address         TEXT NOT NULL,
    port            INTEGER NOT NULL,
    generation      INTEGER NOT NULL,
    silo_name       TEXT NOT NULL,
    host_name       TEXT NOT NULL,
    status          INTEGER NOT NULL,
    proxy_port      INTEGER NOT NULL,
    suspect_times   TEXT,
    started_at      TIMESTAMPTZ NOT NULL,
    i_am_alive_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);

-- Reminders --------------------------------------------------------------------------------------------------

-- grain_hash is the grain's uniform hash cast to a signed int: each silo reads the reminders of its arc of the
-- hash ring. version is the reminder's ETag, raised by every upsert; a delete names the one it read.
CREATE TABLE orleans_reminders (
    service_id      TEXT NOT NULL,
    grain_id        TEXT NOT NULL,
    reminder_name   TEXT NOT NULL,
    grain_hash      INTEGER NOT NULL,
    starts_at       TIMESTAMPTZ NOT NULL,
    period_ms       BIGINT NOT NULL,
    version         INTEGER NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);
CREATE INDEX ix_orleans_reminders_hash ON orleans_reminders (service_id, grain_hash);

-- Membership queries -----------------------------------------------------------------------------------------

-- Every silo at start: create the cluster's version row unless it exists; answers whether this call created it.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', $$
WITH created AS (
    INSERT INTO orleans_membership_versions (cluster_id, version, changed_at)
    VALUES (@DeploymentId, 0, now())
    ON CONFLICT (cluster_id) DO NOTHING
    RETURNING cluster_id
)
SELECT EXISTS (SELECT 1 FROM created)
$$);

-- The whole table: one row per silo, each carrying the table version; the version row alone (silo columns null)
-- when no silo has joined yet. One statement reads both from one snapshot.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', $$
SELECT v.version AS "Version",
       s.address AS "Address", s.port AS "Port", s.generation AS "Generation",
       s.silo_name AS "SiloName", s.host_name AS "HostName", s.status AS "Status", s.proxy_port AS "ProxyPort",
       s.suspect_times AS "SuspectTimes", s.started_at AS "StartTime", s.i_am_alive_at AS "IAmAliveTime"
FROM orleans_membership_versions v
LEFT JOIN orleans_silos s ON s.cluster_id = v.cluster_id
WHERE v.cluster_id = @DeploymentId
$$);

-- One silo's row with the table version, or the version alone when that silo has no row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', $$
SELECT v.version AS "Version",
       s.address AS "Address", s.port AS "Port", s.generation AS "Generation",
       s.silo_name AS "SiloName", s.host_name AS "HostName", s.status AS "Status", s.proxy_port AS "ProxyPort",
       s.suspect_times AS "SuspectTimes", s.started_at AS "StartTime", s.i_am_alive_at AS "IAmAliveTime"
FROM orleans_membership_versions v
LEFT JOIN orleans_silos s ON s.cluster_id = v.cluster_id
    AND s.address = @Address AND s.port = @Port AND s.generation = @Generation
WHERE v.cluster_id = @DeploymentId
$$);

-- A joining silo adds its row: only if the table is still at @Version (the version its writer read) and the silo
-- has no row yet. Raising the version and adding the row are one statement, so both happen or neither; a writer
-- racing from the same version waits for the row lock, finds the version moved and changes nothing.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', $$
WITH raised AS (
    UPDATE orleans_membership_versions
    SET version = version + 1, changed_at = now()
    WHERE cluster_id = @DeploymentId AND version = @Version
      AND NOT EXISTS (
          SELECT 1 FROM orleans_silos
          WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING cluster_id
), added AS (
    INSERT INTO orleans_silos (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port,
                               started_at, i_am_alive_at)
    SELECT cluster_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
           @StartTime, @IAmAliveTime
    FROM raised
    RETURNING cluster_id
)
SELECT EXISTS (SELECT 1 FROM added)
$$);

-- A status change or a death vote: only if the table is still at @Version and the silo has a row. The provider
-- gives each row the table version as its ETag, so the version check is also the row's ETag check.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', $$
WITH raised AS (
    UPDATE orleans_membership_versions
    SET version = version + 1, changed_at = now()
    WHERE cluster_id = @DeploymentId AND version = @Version
      AND EXISTS (
          SELECT 1 FROM orleans_silos
          WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING cluster_id
), changed AS (
    UPDATE orleans_silos s
    SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_at = @IAmAliveTime
    FROM raised
    WHERE s.cluster_id = raised.cluster_id
      AND s.address = @Address AND s.port = @Port AND s.generation = @Generation
    RETURNING s.cluster_id
)
SELECT EXISTS (SELECT 1 FROM changed)
$$);

-- A silo's heartbeat: the protocol asks it to leave the table version alone.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', $$
UPDATE orleans_silos
SET i_am_alive_at = @IAmAliveTime
WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$$);

-- Clients: the gateways of the silos in @Status (the provider passes Active).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', $$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM orleans_silos
WHERE cluster_id = @DeploymentId AND status = @Status AND proxy_port > 0
$$);

-- The cluster's version row and, through the foreign key, every silo row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', $$
DELETE FROM orleans_membership_versions
WHERE cluster_id = @DeploymentId
$$);

-- Dead silos whose last heartbeat is older than @IAmAliveTime. The provider requires this key but, while the one
-- below exists, uses that one instead.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', $$
DELETE FROM orleans_silos
WHERE cluster_id = @DeploymentId AND status = 6 AND i_am_alive_at < @IAmAliveTime
$$);

-- Optional key: the provider reads the table, picks the dead rows it may remove, and deletes each one only if the
-- row is still what it read (same start, heartbeat and votes), so a row changed meanwhile stays.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntryKey', $$
DELETE FROM orleans_silos
WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
  AND status = 6 AND started_at = @StartTime AND i_am_alive_at = @IAmAliveTime
  AND COALESCE(suspect_times, '') = COALESCE(@SuspectTimes, '')
$$);

-- Reminder queries -------------------------------------------------------------------------------------------

-- A grain's reminders.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey', $$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", starts_at AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId
$$);

-- One reminder of a grain (no row when it has none by that name).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey', $$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", starts_at AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
$$);

-- The reminders of the ring arc (@BeginHash, @EndHash]. The provider passes both bounds cast to signed ints and
-- picks this query when begin < end in that signed order: the arc is then one interval.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key', $$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", starts_at AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
$$);

-- ...and this one otherwise: the arc wraps past the largest signed value (begin = end is the whole ring).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key', $$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", starts_at AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminders
WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$$);

-- Register or change a reminder; answers its new ETag.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey', $$
INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, grain_hash, starts_at, period_ms, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartTime, @Period, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET grain_hash = EXCLUDED.grain_hash, starts_at = EXCLUDED.starts_at, period_ms = EXCLUDED.period_ms,
    version = orleans_reminders.version + 1
RETURNING version AS "Version"
$$);

-- Unregister a reminder if its ETag is still @Version; answers whether it was removed.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey', $$
WITH removed AS (
    DELETE FROM orleans_reminders
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND version = @Version
    RETURNING grain_id
)
SELECT EXISTS (SELECT 1 FROM removed)
$$);

-- Every reminder of the service (the provider's test hook).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey', $$
DELETE FROM orleans_reminders
WHERE service_id = @ServiceId
$$);
