package russian

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Chinese names are written in notes in Cyrillic letters by the Palladius
// system («Си Цзиньпин»), and in English by pinyin («Xi Jinping»): Pinyin
// reads the one as the other, syllable by syllable, so that a search for a
// person's pinyin name finds the notes that name them in Russian.

// pinyinSyllables are the syllables of Mandarin in pinyin, without tones;
// ü is written v.
const pinyinSyllables = `a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu
ca cai can cang cao ce cen ceng ci cong cou cu cuan cui cun cuo
cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo
da dai dan dang dao de dei deng di dia dian diao die ding diu dong dou du duan dui dun duo
e ei en eng er fa fan fang fei fen feng fo fou fu
ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo
ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo
ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun
ka kai kan kang kao ke ken keng kong kou ku kua kuai kuan kuang kui kun kuo
la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu long lou lu luan lun luo lv lve
ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu
na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nu nuan nuo nv nve
o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu
qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun
ran rang rao re ren reng ri rong rou ru ruan rui run ruo
sa sai san sang sao se sen seng si song sou su suan sui sun suo
sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo
ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo
wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun
ya yan yang yao ye yi yin ying yong you yu yuan yue yun
za zai zan zang zao ze zei zen zeng zi zong zou zu zuan zui zun zuo
zha zhai zhan zhang zhao zhe zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo`

// palladius gives the pinyin of each syllable in Palladius's letters:
// «цзинь» jin; ü is written u, as English texts write it («Люй» Lu).
// fromPinyin gives the other way the syllables in Palladius's letters
// that English texts may write as a syllable of pinyin: lu is «лу» or
// «люй», lv «люй».
var palladius, fromPinyin = func() (map[string]string, map[string][]string) {
	initials := []struct{ pinyin, cyr string }{
		{"zh", "чж"}, {"ch", "ч"}, {"sh", "ш"}, {"b", "б"}, {"p", "п"}, {"m", "м"}, {"f", "ф"}, {"d", "д"},
		{"t", "т"}, {"n", "н"}, {"l", "л"}, {"g", "г"}, {"k", "к"}, {"h", "х"}, {"j", "цз"}, {"q", "ц"},
		{"x", "с"}, {"r", "ж"}, {"z", "цз"}, {"c", "ц"}, {"s", "с"},
	}
	finals := map[string]string{
		"a": "а", "ai": "ай", "an": "ань", "ang": "ан", "ao": "ао", "e": "э", "ei": "эй", "en": "энь",
		"eng": "эн", "er": "эр", "o": "о", "ou": "оу", "ong": "ун", "i": "и", "ia": "я", "ian": "янь",
		"iang": "ян", "iao": "яо", "ie": "е", "in": "инь", "ing": "ин", "iong": "юн", "iu": "ю", "u": "у",
		"ua": "уа", "uai": "уай", "uan": "уань", "uang": "уан", "ui": "уй", "un": "унь", "uo": "о",
		"v": "юй", "ve": "юэ", "van": "юань", "vn": "юнь",
	}
	// Syllables without an initial, and with y or w for one.
	m := map[string]string{
		"ya": "я", "yan": "янь", "yang": "ян", "yao": "яо", "ye": "е", "yi": "и", "yin": "инь", "ying": "ин",
		"yong": "юн", "you": "ю", "yu": "юй", "yuan": "юань", "yue": "юэ", "yun": "юнь", "wa": "ва",
		"wai": "вай", "wan": "вань", "wang": "ван", "wei": "вэй", "wen": "вэнь", "weng": "вэн", "wo": "во",
		"wu":  "у",
		"hui": "хуэй", // as Palladius writes it, unlike gui or dui
	}
	out, back := map[string]string{}, map[string][]string{}
	for _, syl := range strings.Fields(pinyinSyllables) {
		cyr, ok := m[syl]
		if !ok {
			final := syl
			for _, in := range initials {
				if rest, found := strings.CutPrefix(syl, in.pinyin); found {
					final, cyr = rest, in.cyr
					break
				}
			}
			f := finals[final]
			switch {
			case final == "i" && (cyr == "цз" && syl[0] == 'z' || syl == "ci" || syl == "si"):
				f = "ы" // zi, ci, si
			case strings.HasPrefix(final, "u") && strings.ContainsRune("jqx", rune(syl[0])):
				f = finals["v"+final[1:]] // ju, quan, xun: ü
			}
			cyr += f
		}
		english := strings.ReplaceAll(syl, "v", "u")
		if _, taken := out[cyr]; !taken {
			out[cyr] = english
		}
		back[syl] = append(back[syl], cyr)
		if english != syl {
			back[english] = append(back[english], cyr)
		}
	}
	out["хуй"] = "hui" // read as Palladius's «хуэй»
	return out, back
}()

// Palladius is the other way of Pinyin: the spellings in Palladius's
// letters of a word in pinyin, lower case, without tones («jinping»:
// цзиньпин; «xian»: сянь, сиань), a spelling for each way of parting it
// into syllables and for each letter English texts write for two (lu:
// лу or люй), fewer syllables first; at most MaxCyrillic. None for a word
// that is not made of syllables, or of more than 24 letters.
func Palladius(w string) []string {
	w = strings.ReplaceAll(w, "ü", "v")
	if len(w) > 24 {
		return nil
	}
	// ends[i] is whether w[i:] is made of syllables: no spelling is
	// begun that cannot be finished.
	ends := make([]bool, len(w)+1)
	ends[len(w)] = true
	for i := len(w) - 1; i >= 0; i-- {
		for j := i + 1; j <= min(len(w), i+maxSyllable); j++ {
			if ends[j] && fromPinyin[w[i:j]] != nil {
				ends[i] = true
				break
			}
		}
	}
	if len(w) == 0 || !ends[0] {
		return nil
	}
	var out []string
	var spell func(done string, i int)
	spell = func(done string, i int) {
		if i == len(w) {
			out = append(out, done)
			return
		}
		for j := min(len(w), i+maxSyllable); j > i && len(out) < MaxCyrillic; j-- {
			if ends[j] {
				for _, cyr := range fromPinyin[w[i:j]] {
					spell(done+cyr, j)
				}
			}
		}
	}
	spell("", 0)
	return out[:min(len(out), MaxCyrillic)]
}

// maxSyllable is the most letters of a syllable of pinyin: zhuang.
const maxSyllable = 6

// Pinyin returns a Chinese person's name, written in Palladius's letters
// with the surname first («Си Цзиньпин», «Чжан Гоцин»), in pinyin, lower
// case, the syllables of each word together: «xi jinping», «zhang
// guoqing». It returns "" for a name that is not one: of one word, or whose
// first word is not one syllable (a surname; Russian names begin with a
// given name of more), or with a word that is not made of syllables.
func Pinyin(name string) string {
	words := strings.Fields(Fold(name))
	if len(words) < 2 {
		return ""
	}
	return pinyinOf(words, true)
}

// PlacePinyin returns a place's name, or a company's, written in
// Palladius's letters («Суйфэньхэ», «Далянь», «Хуавэй») in pinyin, as
// Pinyin does a person's: «suifenhe», «dalian», «huawei»; "" when a word of
// it is not made of syllables. A Russian name made of them («Чита») gets
// one too, which finds nothing else.
func PlacePinyin(name string) string {
	return pinyinOf(strings.Fields(Fold(name)), false)
}

// pinyinOf is the pinyin of words in Palladius's letters, folded, or ""
// when a word is not made of syllables, or, with surname, when the first
// word is not one.
func pinyinOf(words []string, surname bool) string {
	out := make([]string, len(words))
	for i, w := range words {
		syls := Syllables(w)
		if syls == nil || surname && i == 0 && len(syls) != 1 {
			return ""
		}
		for _, s := range syls {
			out[i] += palladius[s]
		}
	}
	return strings.Join(out, " ")
}

// Syllables splits a word in Palladius's letters, lower case, into
// syllables, or returns nil when it cannot be. A ъ parts syllables where
// they could be read otherwise («чанъань», Chang'an); where a part can be
// split in several ways («хунань»: ху-нань or хун-ань), the split with the
// fewest syllables that begin with a vowel is taken, as Palladius would
// have written a ъ before one, then the one with the fewest syllables.
func Syllables(w string) []string {
	var out []string
	for _, part := range strings.Split(w, "ъ") {
		s := partSyllables(part)
		if s == nil {
			return nil
		}
		out = append(out, s...)
	}
	return out
}

// partSyllables is syllables of a word without ъ.
func partSyllables(w string) []string {
	type best struct {
		ok            bool
		vowels, count int
		from          int // where the last syllable begins
	}
	// at[i] is the best split of w[:i].
	at := make([]best, len(w)+1)
	at[0].ok = true
	for i := 0; i < len(w); i++ {
		if !at[i].ok {
			continue
		}
		v := at[i].vowels // with a syllable from i
		if r, _ := utf8.DecodeRuneInString(w[i:]); i > 0 && strings.ContainsRune("аеэиоуюя", r) {
			v++
		}
		for j := i + 1; j <= len(w) && j-i <= 12; j++ { // a syllable has at most six letters
			if _, ok := palladius[w[i:j]]; !ok {
				continue
			}
			c := at[i].count + 1
			if b := at[j]; !b.ok || v < b.vowels || v == b.vowels && c < b.count {
				at[j] = best{true, v, c, i}
			}
		}
	}
	if len(w) == 0 || !at[len(w)].ok {
		return nil
	}
	var out []string
	for j := len(w); j > 0; j = at[j].from {
		out = append(out, w[at[j].from:j])
	}
	slices.Reverse(out)
	return out
}
