package russian

import "testing"

func TestPinyin(t *testing.T) {
	for name, want := range map[string]string{
		"Си Цзиньпин":    "xi jinping",
		"Ли Цян":         "li qiang",
		"Чжан Гоцин":     "zhang guoqing",
		"Ван И":          "wang yi",
		"Хань Чжэн":      "han zheng",
		"Ху Чуньхуа":     "hu chunhua",
		"Лю Хэ":          "liu he",
		"Инь Юн":         "yin yong",
		"Цзян Чжиган":    "jiang zhigang",
		"Дин Сюэсян":     "ding xuexiang",
		"Чжао Лэцзи":     "zhao leji",
		"Ван Хунин":      "wang huning",
		"Сюй Цзюнь":      "xu jun",
		"Люй Цзюань":     "lu juan",
		"Цуй Цзы":        "cui zi",
		"Чэнь Сыцзинь":   "chen sijin",
		"Ма Ань":         "ma an",
		"Е Чанъань":      "ye changan",
		"Хоу Хунань":     "hou hunan",
		"Гао Хэйлунцзян": "gao heilongjiang",
		"ЧЖУ  шаньдун":   "zhu shandong",
		"Сунь Жуй, мэр":  "",
		"Анна Серова":    "",
		"Сергей Собянин": "",
		"Цзинь":          "",
		"Ян Ирина":       "",
		"Оуян Сю":        "",
		"Ли Мин-Хо":      "",
		"":               "",
	} {
		if got := Pinyin(name); got != want {
			t.Errorf("Pinyin(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestPlacePinyin(t *testing.T) {
	for name, want := range map[string]string{
		"Суйфэньхэ":  "suifenhe",
		"Далянь":     "dalian",
		"Циндао":     "qingdao",
		"Шицзячжуан": "shijiazhuang",
		"Хэйхэ":      "heihe",
		"Хуавэй":     "huawei",
		"Москва":     "",
		"Хух-Хото":   "",
		"Урумчи":     "",
		"":           "",
	} {
		if got := PlacePinyin(name); got != want {
			t.Errorf("PlacePinyin(%q) = %q, want %q", name, got, want)
		}
	}
}
