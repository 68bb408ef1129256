-- Source: https://docs.aws.amazon.com/kinesisanalytics/latest/dev/stagger-window-concepts.html
-- awsdocs/amazon-kinesis-data-analytics-developer-guide doc_source/stagger-window-concepts.md (commit 0592d237742e19b60ed4b126a5e711548c97c037), section "Complete Results with Stagger Windows"; as published, unchanged below.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol    VARCHAR(4), 
    event_time       TIMESTAMP,
    ticker_count     DOUBLE);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS 
  INSERT INTO "DESTINATION_SQL_STREAM" 
    SELECT STREAM 
        TICKER_SYMBOL,
        FLOOR(EVENT_TIME TO MINUTE),
        COUNT(TICKER_SYMBOL) AS ticker_count
    FROM "SOURCE_SQL_STREAM_001"
    WINDOWED BY STAGGER (
            PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '1' MINUTE);
