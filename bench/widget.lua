-- wrk script for bench/widget: the same feedback through the REST intake (BENCH_TARGET=rest, a token and a
-- customer external_id) or the widget endpoint (BENCH_TARGET=widget, a widget key, an Origin and an email
-- only). Unique Idempotency-Keys, every other post negative, 5,000 customers. Counts 201s and the posts
-- still unanswered at stop into BENCH_COUNT_FILE, as bench/intake.lua does.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

function init(args)
  token = os.getenv("BENCH_TOKEN")
  widget_key = os.getenv("BENCH_WIDGET_KEY")
  origin = os.getenv("BENCH_ORIGIN")
  target = os.getenv("BENCH_TARGET") or "rest"
  run = os.getenv("BENCH_RUN") or tostring(os.time())
  sent = 0
  answered = 0
  created = 0
end

local NEGATIVE = "Parcel arrived two days late and the box was crushed. Order %d."
local POSITIVE = "Lovely staff and fast delivery, very happy. Order %d."

function request()
  sent = sent + 1
  local n = thread_id * 100000000 + sent
  local customer = "B-" .. ((thread_id * 7919 + sent) % 5000)
  local negative = sent % 2 == 0
  local rating = negative and (n % 4 == 0 and 1 or 2) or 5
  local comment = string.format(negative and NEGATIVE or POSITIVE, n)
  local headers = { ["Content-Type"] = "application/json", ["Idempotency-Key"] = run .. "-" .. n }
  if target == "widget" then
    headers["X-Mend-Widget-Key"] = widget_key
    headers["Origin"] = origin
    local body = string.format('{"rating":%d,"comment":"%s","email":"%s@example.com","page":"/checkout"}',
      rating, comment, customer)
    return wrk.format("POST", "/api/v1/widget/feedback/", headers, body)
  end
  headers["Authorization"] = "Token " .. token
  local body = string.format(
    '{"channel":"web","rating":%d,"comment":"%s","touchpoint":"web/checkout",' ..
    '"customer":{"external_id":"%s","email":"%s@example.com"}}', rating, comment, customer, customer)
  return wrk.format("POST", "/api/v1/feedback/", headers, body)
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
  local path = os.getenv("BENCH_COUNT_FILE")
  if path then
    local file = io.open(path, "w")
    file:write(string.format("%d %d", total, unanswered))
    file:close()
  end
end
