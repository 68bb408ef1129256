-- wrk script: POST a small KDA for SQL output event (3 records, 100-byte rows,
-- 950 bytes) as `X-Amz-Invocation-Type: RequestResponse`.
-- No response() callback: it would make wrk itself the bottleneck.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Amz-Invocation-Type"] = "RequestResponse"
wrk.body = '{"invocationId":"00540a87-5050-496a-84e4-e7d92bbaf5e2","applicationArn":"arn:aws:kinesisanalytics:us-east-1:123456789012:application/bench","records":[{"recordId":"496629686581372762796230512706634683400000000000000000001","lambdaDeliveryRecordMetadata":{"retryHint":0},"data":"eyJUSUNLRVJfU1lNQk9MIjoiQU1aTiIsIlNFQ1RPUiI6IlRFQ0hOT0xPR1kiLCJDSEFOR0UiOi0wLjI5LCJQUklDRSI6ODUxLjU4LCJQQUQiOiJ4eHh4eHh4eHh4eHh4eHgifQ=="},{"recordId":"496629686581372762796230512706634683400000000000000000002","lambdaDeliveryRecordMetadata":{"retryHint":0},"data":"eyJUSUNLRVJfU1lNQk9MIjoiUVhaIiwiU0VDVE9SIjoiUkVUQUlMIiwiQ0hBTkdFIjoxLjEyLCJQUklDRSI6MTAuMjEsIlBBRCI6Inh4eHh4eHh4eHh4eHh4eHh4eHh4eHgifQ=="},{"recordId":"496629686581372762796230512706634683400000000000000000003","lambdaDeliveryRecordMetadata":{"retryHint":0},"data":"eyJUSUNLRVJfU1lNQk9MIjoiV1NCIiwiU0VDVE9SIjoiRklOQU5DSUFMIiwiQ0hBTkdFIjowLjA1LCJQUklDRSI6MTguNiwiUEFEIjoieHh4eHh4eHh4eHh4eHh4eHh4eHgifQ=="}]}'
