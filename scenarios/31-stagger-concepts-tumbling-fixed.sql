-- Source: https://docs.aws.amazon.com/kinesisanalytics/latest/dev/stagger-window-concepts.html
-- awsdocs/amazon-kinesis-data-analytics-developer-guide doc_source/stagger-window-concepts.md (commit 0592d237742e19b60ed4b126a5e711548c97c037), section "Partial Results with Tumbling Windows"; corrected: the stream gains the column EVENT_TIME TIMESTAMP (line 6)
-- for the SELECT's second item, FLOOR(EVENT_TIME TO MINUTE); nothing else changed.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    TICKER_SYMBOL VARCHAR(4), 
    EVENT_TIME       TIMESTAMP,
    TICKER_COUNT     DOUBLE);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS 
  INSERT INTO "DESTINATION_SQL_STREAM" 
    SELECT STREAM 
        TICKER_SYMBOL,
        FLOOR(EVENT_TIME TO MINUTE),
        COUNT(TICKER_SYMBOL) AS TICKER_COUNT
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker_symbol, FLOOR(EVENT_TIME TO MINUTE), STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);
