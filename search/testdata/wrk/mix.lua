-- wrk script: cycles through a mix of /api/search requests as readers make
-- them (region names in three scripts, words, typos, phrases, filters,
-- listings, both orders, later pages). Usage, from the repository root:
--   wrk -t2 -c32 -d30s --latency -s search/testdata/wrk/mix.lua http://localhost:8080
-- WRK_UNIQUE=1 in the environment makes the requests distinct, with date
-- bounds that leave the hits as they are (from 1900–1999, to 2030–2099),
-- so that no answer comes from the handler's cache.
local paths = {
  "/api/search?q=%D0%93%D1%83%D0%B0%D0%BD%D0%B4%D1%83%D0%BD",                       -- Гуандун
  "/api/search?q=Guangdong",
  "/api/search?q=%E5%B9%BF%E4%B8%9C",                                              -- 广东
  "/api/search?q=%D0%B2%D1%8B%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0",                 -- выставка
  "/api/search?q=%D1%81%D0%BE%D1%82%D1%80%D1%83%D0%B4%D0%BD%D0%B8%D1%87%D0%B5%D1%81%D1%82%D0%B2%D0%BE", -- сотрудничество
  "/api/search?q=%D0%A5%D0%B0%D0%B1%D1%80%D0%BE%D0%B2%D1%81%D0%BA%D0%B8%D0%B9",     -- Хабровский (typo)
  "/api/search?q=%22%D1%82%D0%BE%D1%80%D0%B3%D0%BE%D0%B2%D1%8B%D0%B9+%D0%B4%D0%BE%D0%BC%22", -- "торговый дом"
  "/api/search?q=%D0%BC%D0%BE%D1%81%D1%82%D0%BE%D0%B2&region=heilongjiang",          -- мостов, region
  "/api/search?region=khabarovsk-krai",
  "/api/search?region=guangdong&sector=trade",
  "/api/search?kind=expo&from=2020-01-01&to=2022-12-31",
  "/api/search",
  "/api/search?page=2",
  "/api/search?q=%D0%B8%D0%BD%D0%B2%D0%B5%D1%81%D1%82%D0%B8%D1%86%D0%B8%D0%B8&sort=date", -- инвестиции by date
  "/api/search?q=%D0%9F%D1%80%D0%B8%D0%BC%D0%BE%D1%80%D1%8C%D0%B5+%D0%BF%D0%BE%D1%80%D1%82",  -- Приморье порт
  "/api/search?q=%D0%B7%D0%B5%D1%80%D0%BD%D0%BE+-%D1%81%D0%BE%D1%8F",                  -- зерно -соя
}
local unique = os.getenv("WRK_UNIQUE") == "1"
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local i = 0
function init(args)
  i = (id or 0) * 7919
end
request = function()
  i = i + 1
  local p = paths[(i % #paths) + 1]
  if unique then
    local sep = "?"
    if string.find(p, "?", 1, true) then sep = "&" end
    p = p .. sep .. "from=" .. (1900 + i % 100) .. "-01-01&to=" .. (2030 + math.floor(i / 100) % 70) .. "-12-31"
  end
  return wrk.format("GET", p)
end
