// Package sitegen writes synthetic sites of any size for benchmarks: notes
// of about 400 words of Russian news vocabulary with front matter that names
// regions, sectors and kinds by slug, name and alias, as editors do, a few
// drafts, RFC 3339 dates and explicit slugs among them.
package sitegen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/coopdigest/digest/source"
)

// benchWords are the words bodies are made of: common words of Russian news
// about regional cooperation, so that sizes and byte patterns are realistic.
var benchWords = strings.Fields(`
	делегация провинции края области губернатор встреча соглашение сотрудничество
	торговля инвестиции проект предприятие завод выставка форум переговоры стороны
	обсудили развитие логистики транспортный коридор пограничный переход зерно
	поставки экспорт импорт туризм образование университет студенты обмен культура
	фестиваль сельское хозяйство лесопереработка энергетика газ уголь электроэнергия
	машиностроение автомобили технологии цифровая экономика здравоохранение медицина
	подписали меморандум о взаимопонимании рамках программы совместная рабочая
	группа заседание комиссии председатель заместитель министр представители бизнеса
	компании китайские российские партнёры рынок продукция объём товарооборота вырос
	процентов году млрд рублей юаней долларов предложения площадка перспективы
	важно отметить что в на с по для и а но также ещё уже будет было были является
	этом рамках году месяце марте апреле мае июне сентябре октябре ноябре декабре
	Хабаровск Владивосток Благовещенск Харбин Пекин Шанхай Далянь Суйфэньхэ Хэйхэ
	Москва Новосибирск Иркутск Чита Казань Гуанчжоу Шэньчжэнь Чэнду Урумчи Чанчунь
`)

// benchRegions, benchSectors and benchKinds are names the generated notes
// use, by slug, name and alias, as editors write them.
var (
	benchRegions = []string{"khabarovsk-krai", "Хабаровский край", "primorsky-krai", "Приморье", "amur-oblast", "Амурская область",
		"moscow", "Москва", "heilongjiang", "Хэйлунцзян", "провинция Хэйлунцзян", "jilin", "liaoning", "Пекин", "shanghai",
		"Гуандун", "guangdong", "Jiangsu Province", "sichuan", "Синьцзян-Уйгурский автономный район", "tatarstan", "Татарстан",
		"novosibirsk-oblast", "Иркутская область", "zabaykalsky-krai"}
	benchSectors = []string{"trade", "investment", "education", "tourism", "agriculture", "logistics", "energy", "culture", "healthcare"}
	benchKinds   = []string{"visit", "talks", "delegation", "Форум", "expo", "agreement", "business-mission", "conference"}
)

// Write writes a site of n notes into dir (dir/content/...), with the
// settings and taxonomy of the sample site whose content folder is sample.
// The same n gives the same notes, and the first n notes of a larger site
// are the n-note site.
func Write(dir, sample string, n int) error {
	for _, f := range []string{"site.yaml", "taxonomy/regions.yaml", "taxonomy/sectors.yaml", "taxonomy/kinds.yaml"} {
		data, err := os.ReadFile(filepath.Join(sample, f))
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, source.Dir, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
	}
	// Check that the names used exist, so a taxonomy edit fails here clearly.
	src, err := source.LoadSettings(os.DirFS(dir))
	if err != nil {
		return err
	}
	for _, names := range []struct {
		tax   *source.Taxonomy
		names []string
	}{{src.Regions, benchRegions}, {src.Sectors, benchSectors}, {src.Kinds, benchKinds}} {
		for _, s := range names.names {
			if names.tax.Lookup(s) == nil {
				return fmt.Errorf("sitegen: %s", names.tax.Unknown(s))
			}
		}
	}

	r := rand.New(rand.NewPCG(1, 2))
	made := map[string]bool{}
	for i := range n {
		year := 2010 + r.IntN(17)
		file := filepath.Join(dir, source.Dir, fmt.Sprint(year), fmt.Sprintf("note-%05d.md", i))
		if !made[filepath.Dir(file)] {
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				return err
			}
			made[filepath.Dir(file)] = true
		}
		if err := os.WriteFile(file, benchNote(r, i, year), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func benchNote(r *rand.Rand, i, year int) []byte {
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	var b strings.Builder
	b.WriteString("---\n")
	fmt.Fprintf(&b, "title: %s\n", sentence(r, 8+r.IntN(6)))
	if i%20 == 0 {
		fmt.Fprintf(&b, "date: %d-%02d-%02dT10:00:00+03:00\n", year, 1+r.IntN(12), 1+r.IntN(28))
	} else {
		fmt.Fprintf(&b, "date: %d-%02d-%02d\n", year, 1+r.IntN(12), 1+r.IntN(28))
	}
	fmt.Fprintf(&b, "kind: %s\n", pick(benchKinds))
	fmt.Fprintf(&b, "regions: [%s, %s]\n", pick(benchRegions[:12]), pick(benchRegions[12:]))
	fmt.Fprintf(&b, "sectors: [%s, %s]\n", pick(benchSectors), pick(benchSectors))
	b.WriteString("people:\n")
	for range 1 + r.IntN(3) {
		fmt.Fprintf(&b, "  - name: %s %s\n    role: %s\n", title(pick(benchWords)), title(pick(benchWords)), sentence(r, 4))
	}
	fmt.Fprintf(&b, "organizations: [%s]\n", title(sentence(r, 3)))
	fmt.Fprintf(&b, "places: [%s]\n", title(pick(benchWords)))
	fmt.Fprintf(&b, "sources:\n  - url: https://example.org/news/%d/%d\n    publisher: Пресс-служба правительства\n", year, i)
	fmt.Fprintf(&b, "summary: %s.\n", sentence(r, 20))
	if i%10 == 0 {
		fmt.Fprintf(&b, "slug: explicit-%05d\n", i)
	}
	if i%100 == 0 {
		b.WriteString("draft: true\n")
	}
	b.WriteString("---\n\n")
	for words := 0; words < 400; {
		switch r.IntN(8) {
		case 0:
			fmt.Fprintf(&b, "## %s\n\n", title(sentence(r, 3)))
		case 1:
			for range 3 {
				fmt.Fprintf(&b, "- %s;\n", sentence(r, 6))
			}
			b.WriteString("\n")
			words += 18
		}
		n := 40 + r.IntN(40)
		for s := 0; s < n; {
			w := 6 + r.IntN(10)
			b.WriteString(title(sentence(r, w)))
			b.WriteString(". ")
			s += w
		}
		b.WriteString("\n\n")
		words += n
	}
	return []byte(b.String())
}

func sentence(r *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = benchWords[r.IntN(len(benchWords))]
	}
	return strings.Join(w, " ")
}

func title(s string) string {
	for i, c := range s {
		return strings.ToUpper(string(c)) + s[i+len(string(c)):]
	}
	return s
}
