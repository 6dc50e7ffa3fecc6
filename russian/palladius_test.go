package russian

import (
	"slices"
	"testing"
)

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

func TestPalladius(t *testing.T) {
	tests := []struct {
		pinyin string
		want   []string // among the spellings, in this order
	}{
		{"jinping", []string{"цзиньпин"}},
		{"zhang", []string{"чжан"}},
		{"jingsong", []string{"цзинсун"}},
		{"guangzhou", []string{"гуанчжоу"}},
		{"heilongjiang", []string{"хэйлунцзян"}},
		{"xian", []string{"сянь", "сиань"}},
		{"lu", []string{"лу", "люй"}},
		{"lv", []string{"люй"}},
		{"lü", []string{"люй"}},
		{"huawei", []string{"хуавэй"}},
		{"hui", []string{"хуэй"}},
		{"zi", []string{"цзы"}},
		{"xun", []string{"сюнь"}},
		{"harbin", nil},
		{"moscow", nil},
		{"", nil},
		{"xianxianxianxianxianxian", []string{"сяньсяньсяньсяньсяньсянь"}},
		{"xianxianxianxianxianxiana", nil},
	}
	for _, tt := range tests {
		got := Palladius(tt.pinyin)
		if len(got) > MaxCyrillic {
			t.Errorf("Palladius(%q): %d spellings, more than %d", tt.pinyin, len(got), MaxCyrillic)
		}
		if tt.want == nil {
			if got != nil {
				t.Errorf("Palladius(%q) = %q, want none", tt.pinyin, got)
			}
			continue
		}
		at := -1
		for _, w := range tt.want {
			i := slices.Index(got, w)
			if i <= at {
				t.Errorf("Palladius(%q) = %q, want %q among them in this order", tt.pinyin, got, tt.want)
				break
			}
			at = i
		}
	}
	// The first spelling, of the fewest syllables, reads back as the word.
	for _, w := range []string{"jinping", "guangzhou", "xian", "shijiazhuang", "suifenhe", "lu"} {
		if got := Palladius(w); len(got) == 0 || PlacePinyin(got[0]) != w {
			t.Errorf("Palladius(%q) = %q: the first does not read back", w, got)
		}
	}
	// A word of many ways to part it stops at MaxCyrillic.
	if got := Palladius("xianxianxianxianxianxian"); len(got) != MaxCyrillic {
		t.Errorf("Palladius of six xian: %d spellings, want %d", len(got), MaxCyrillic)
	}
}
