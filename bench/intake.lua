-- wrk script for bench/intake: unique bodies with unique Idempotency-Keys, every other one negative.
-- BENCH_TARGET=mend posts to /api/v1/feedback/, BENCH_TARGET=ceiling to the bare DRF endpoint.
-- Each thread counts its 201s and the posts still unanswered when wrk stops (the server finishes them,
-- so they become rows nobody saw a 201 for); done() writes both to BENCH_COUNT_FILE.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

function init(args)
  token = os.getenv("BENCH_TOKEN")
  target = os.getenv("BENCH_TARGET") or "mend"
  run = os.getenv("BENCH_RUN") or tostring(os.time())
  -- Another prefix, another 5,000 customers: a second run opens cases rather than joining the first's.
  customers = os.getenv("BENCH_CUSTOMERS") or "B-"
  sent = 0
  answered = 0
  created = 0
end

local NEGATIVE = "Parcel arrived two days late and the box was crushed. Order %d."
local POSITIVE = "Lovely staff and fast delivery, very happy. Order %d."

local function feedback(n, negative, customer)
  local rating = negative and (n % 4 == 0 and 1 or 2) or 5
  local comment = string.format(negative and NEGATIVE or POSITIVE, n)
  if target == "ceiling" then
    return string.format(
      '{"channel":"web","rating":%d,"nps":null,"comment":"%s","touchpoint":"delivery",' ..
      '"customer_external_id":"%s","metadata":{"order":"SO-%d"}}', rating, comment, customer, n)
  end
  return string.format(
    '{"channel":"web","rating":%d,"nps":null,"comment":"%s","touchpoint":"delivery",' ..
    '"customer":{"external_id":"%s","email":"%s@example.com","name":"Bench Customer"},' ..
    '"metadata":{"order":"SO-%d"}}', rating, comment, customer, customer, n)
end

function request()
  sent = sent + 1
  local n = thread_id * 100000000 + sent
  -- 5,000 customers: some feedback joins an open case, some opens one, some finds a repeat customer.
  local customer = customers .. ((thread_id * 7919 + sent) % 5000)
  local path = target == "ceiling" and "/bench/ceiling/rows/" or "/api/v1/feedback/"
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Token " .. token,
    ["Idempotency-Key"] = run .. "-" .. n,
  }
  return wrk.format("POST", path, headers, feedback(n, sent % 2 == 0, customer))
end

function response(status, headers, body)
  answered = answered + 1
  if status == 201 then
    created = created + 1
  end
end

function done(summary, latency, requests)
  local total, unanswered = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("created")
    unanswered = unanswered + thread:get("sent") - thread:get("answered")
  end
  io.write(string.format("201 answers: %d, unanswered at stop: %d\n", total, unanswered))
  local path = os.getenv("BENCH_COUNT_FILE")
  if path then
    local file = io.open(path, "w")
    file:write(string.format("%d %d", total, unanswered))
    file:close()
  end
end
