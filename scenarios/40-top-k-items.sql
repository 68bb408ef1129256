-- Source: https://docs.aws.amazon.com/kinesisanalytics/latest/dev/examples-window-topkitems.html
-- awsdocs/amazon-kinesis-data-analytics-developer-guide doc_source/examples-window-topkitems.md (commit 0592d237742e19b60ed4b126a5e711548c97c037); as published, unchanged below.
CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (
  "TICKER" VARCHAR(4), 
  "MOST_FREQUENT_VALUES" BIGINT
);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS 
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM * 
        FROM TABLE (TOP_K_ITEMS_TUMBLING(
            CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
            'TICKER',         -- name of column in single quotes
            5,                       -- number of the most frequently occurring values
            60                       -- tumbling window size in seconds
            )
        );
