-- Source: https://docs.aws.amazon.com/kinesisanalytics/latest/sqlref/sql-reference-windowed-aggregation-stream.html
-- SQL Reference, Windowed Aggregation on Streams, the second query; corrected: a KDA application
-- runs only pumps into declared streams, so the query is wrapped in CREATE STREAM (ROWTIME kept
-- in a column ROW_TIME: no stream may declare ROWTIME) and CREATE PUMP, and reads the source
-- stream "SOURCE_SQL_STREAM_001" instead of AGGTEST.WEATHERSTREAM.  The SELECT is as published.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ROW_TIME  TIMESTAMP,
    CITY      VARCHAR(16),
    WMIN_TEMP INTEGER,
    WMAX_TEMP INTEGER,
    WAVG_TEMP INTEGER);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
 SELECT STREAM
        ROWTIME,
        CITY,
        MIN(TEMP) over W1 AS WMIN_TEMP,
        MAX(TEMP) over W1 AS WMAX_TEMP,
        AVG(TEMP) over W1 AS WAVG_TEMP
 FROM "SOURCE_SQL_STREAM_001"
 WINDOW W1 AS (
        PARTITION BY CITY
        RANGE INTERVAL '1' DAY PRECEDING
 );
