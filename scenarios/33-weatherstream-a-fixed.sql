-- Source: https://docs.aws.amazon.com/kinesisanalytics/latest/sqlref/sql-reference-windowed-aggregation-stream.html
-- SQL Reference, Windowed Aggregation on Streams, the first query; corrected: a KDA application
-- runs only pumps into declared streams, so the query is wrapped in CREATE STREAM (ROWTIME kept
-- in a column ROW_TIME: no stream may declare ROWTIME) and CREATE PUMP, and reads the source
-- stream "SOURCE_SQL_STREAM_001" instead of WEATHERSTREAM.  The SELECT is as published.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ROW_TIME  TIMESTAMP,
    WMIN_TEMP INTEGER,
    WMAX_TEMP INTEGER);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
 SELECT STREAM
        ROWTIME,
        MIN(TEMP) OVER W1 AS WMIN_TEMP,
        MAX(TEMP) OVER W1 AS WMAX_TEMP
 FROM "SOURCE_SQL_STREAM_001"
 WINDOW W1 AS (
    RANGE INTERVAL '1' DAY PRECEDING
);
