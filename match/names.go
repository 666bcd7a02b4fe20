package match

import (
	"sort"
	"strings"
)

// nameGroups are names whose spellings the rules of canonical do not bring
// together: romanisations that differ in consonants (Muhammad, Mehmet,
// Maxamed; Qassem, Kassem; Serhii, Sergei) and, marked with ~, the same name
// in another language (Joseph for Yusuf, Helen for Olena), which counts as
// similar rather than as a transliteration. The first spelling names the
// group. A spelling belongs to one group only (TestNameGroups).
var nameGroups = [][]string{
	// Arabic, Somali, Dari, Pashto, West African.
	{"Mohammed", "Muhammad", "Mohamed", "Mohammad", "Mohamad", "Muhammed", "Mohamd", "Mehmet", "Mehmed", "Maxamed", "Mouhamed", "Mouhamad", "Mohd", "Mahomed", "Muhamed", "Mahamed", "Mahammad"},
	{"Ahmed", "Ahmad", "Axmed", "Ahmet", "Achmed", "Ahamed"},
	{"Omar", "Umar", "Omer", "Cumar", "Umer", "Oumar"},
	{"Ali", "Aly", "Cali", "Alee"},
	{"Osman", "Othman", "Uthman", "Usman", "Ousmane", "Cismaan", "Otman", "Usmaan", "Osmaan"},
	{"Hussein", "Husayn", "Hussain", "Husein", "Husain", "Hossain", "Hussien", "Xuseen", "Hosein", "Hossein", "Husseyn", "Huseyin"},
	{"Hosseini", "Hussaini", "Husseini", "Hosaini", "Husaini", "Hoseini"},
	{"Yusuf", "Youssef", "Yousef", "Yousif", "Yusef", "Yosef", "Yussuf", "Yuusuf", "Youcef", "Yousuf", "Yousof", "Jusuf", "Yussef", "Yosif", "~Joseph", "~Josef", "~Yosyp", "~Iosyp", "~Giuseppe"},
	{"Ibrahim", "Ebrahim", "Ibraahim", "Brahim", "Ibrahima", "Ibrehim", "~Abraham", "~Abrham", "~Avraham"},
	{"Abdulrahman", "Abdurrahman", "Abdelrahman", "Abd al-Rahman", "Abdirahman", "Abdurahman", "Abderrahmane", "Cabdiraxmaan", "Abdul Rahman", "Abdel Rahman"},
	{"Abdullah", "Abdallah", "Abdulla", "Abdalla", "Abdoulaye", "Abdullahi", "Cabdullaahi", "Abdillahi", "Abdulahi", "Abdoulahi"},
	{"Mustafa", "Mostafa", "Moustafa", "Mustapha", "Mustafe", "Moustapha", "Mostapha"},
	{"Mahmoud", "Mahmud", "Mahmood", "Mohamud", "Maxamuud", "Mehmood", "Mahamoud", "Mohamoud", "Mahamud"},
	{"Khalid", "Khaled", "Khaalid", "Xaalid", "Khalid", "Chaled"},
	{"Hassan", "Hasan", "Xasan", "Hassane", "Hasaan"},
	{"Hamza", "Hamzah", "Xamse", "Hamze", "Hamsa"},
	{"Said", "Saeed", "Sayed", "Sayyed", "Seyed", "Sayyid", "Siciid", "Saed", "Saeid", "Sayed", "Saïd", "Seyyed"},
	{"Jamal", "Gamal", "Djamel", "Jamaal", "Djamal", "Jamel"},
	{"Qasim", "Qassem", "Kassem", "Qasem", "Kasim", "Gassim", "Kacem", "Qassim", "Kasem"},
	{"Yaqub", "Yaqoob", "Yakub", "Yacoub", "Yaakub", "Yacub", "~Jacob", "~Jakub", "~Yakiv", "~Jacques", "~Yaakov", "~Iakiv"},
	{"Abubakar", "Abu Bakr", "Abubakr", "Aboubacar", "Boubacar", "Abukar", "Abuukar", "Aboubakar", "Abubaker"},
	{"Suleiman", "Sulaiman", "Sleiman", "Soliman", "Souleymane", "Sulayman", "Suleyman", "Souleimane", "Sulaymaan", "~Solomon", "~Solomun"},
	{"Musa", "Moussa", "Mousa", "Muse", "Muuse", "Mussa", "~Moses", "~Moise"},
	{"Isa", "Issa", "Eissa", "Ciise", "~Jesus"},
	{"Ismail", "Ismaaciil", "Ismael", "Esmail", "Ismaïl", "Smail", "~Ishmael"},
	{"Idris", "Idriss", "Idiris", "Edris"},
	{"Jama", "Jaamac", "Jamac"},
	{"Abdi", "Cabdi"},
	{"Elmi", "Cilmi"},
	{"Egal", "Cigaal"},
	{"Awil", "Cawil", "Awiil"},
	{"Fatima", "Fatma", "Fatimah", "Fatema", "Faadumo", "Fadumo", "Fatuma", "Fatoumata", "Fatumata", "Fatouma", "Fatme", "Fatemeh"},
	{"Aisha", "Aysha", "Aicha", "Ayesha", "Aishah", "Caasha", "Aissatou", "Aïssatou", "Aïcha", "Asha", "Aïsha", "Aishat"},
	{"Maryam", "Mariam", "Meriem", "Maryan", "Mariama", "Meryem", "Maryama"},
	{"Zainab", "Zeinab", "Zaynab", "Zeynab", "Zaineb"},
	{"Khadija", "Khadijah", "Khadidja", "Kadiatou", "Kadidiatou", "Khadiija", "Kadija", "Xadiijo"},
	{"Zahra", "Zahraa", "Sahra", "Sahro", "Zohra", "Zahara"},
	{"Halima", "Xaliimo", "Halimo", "Haleema", "Halimah"},
	{"Hawa", "Xawo", "Hawo", "Awa", "~Eve", "~Eva"},
	{"Suad", "Sucaad", "Suaad", "Souad"},
	{"Habiba", "Xabiiba", "Habibah"},
	{"Rahma", "Raxma", "Rahmah"},
	{"Ubah", "Ubax"},
	{"Qamar", "Kamar", "Qamr"},
	{"Nimco", "Nimo"},
	{"Jafari", "Jaafari", "Jafary", "Jaffari", "Djafari"},
	{"Haidari", "Haideri", "Heydari", "Haydari", "Heidari"},
	{"Rezai", "Rezaei", "Rezaee", "Rezayi"},
	{"Siddiqi", "Sediqi", "Sediqqi", "Sadiqi", "Siddiqui"},
	{"Alizada", "Alizadeh", "Alizadah", "Alizade"},
	{"Yousufzai", "Yousafzai", "Yusufzai", "Yusafzai"},
	{"Tesfay", "Tesfaye", "Tesfai", "Tesfaie"},
	{"Tsegay", "Tsegai", "Tsegaye"},
	{"Gebremedhin", "Ghebremedhin", "Gebremedin"},
	{"Woldemichael", "Weldemichael", "Woldemikael", "Weldemikael"},
	{"Yohannes", "Yohanes", "Yohanis", "~John", "~Jon", "~Jhon", "~Juan", "~Jean", "~Ivan", "~Johannes", "~Giovanni", "~Ioannis"},
	{"Dawit", "~David", "~Davyd", "~Dawud", "~Dawood", "~Daoud", "~Daud", "~Dauda"},
	{"Amanuel", "Emmanuel", "Emanuel", "Amanual"},
	{"Ghirmay", "Girmay", "Germay", "Ghirmai", "Girmai"},
	// Ukrainian, Russian spellings and the English or European cognates.
	{"Oleksandr", "Olexandr", "Oleksander", "Aleksandr", "Alexandr", "Olexander", "Aleksander", "Alexander", "Alexandre", "Oleksandar", "~Alejandro", "~Alessandro"},
	{"Oleksandra", "Olexandra", "Aleksandra", "Alexandra", "~Alejandra"},
	{"Olena", "Elena", "Alena", "Yelena", "Jelena", "~Helen", "~Helena", "~Hélène", "~Ellen"},
	{"Serhii", "Serhiy", "Sergiy", "Sergey", "Sergei", "Sergii", "Serhij", "~Serge", "~Sergio"},
	{"Dmytro", "Dmitry", "Dmitri", "Dmitriy", "Dmitro", "Dmytrii"},
	{"Mykola", "Nikolai", "Mikola", "Nikolay", "Mykolai", "~Nicolas", "~Nicholas", "~Nikolaus"},
	{"Volodymyr", "Wolodymyr", "Vladimir", "Volodimir", "Wladimir"},
	{"Mykhailo", "Mykhaylo", "Mikhail", "Mihail", "Mychajlo", "~Michael", "~Mikael", "~Miguel", "~Michel", "~Mikail"},
	{"Yevhen", "Ievgen", "Evgeny", "Yevgen", "Evgenii", "Yevgeniy", "Ievgenii", "~Eugene"},
	{"Ihor", "Igor"},
	{"Bohdan", "Bogdan"},
	{"Oleh", "Oleg"},
	{"Olha", "Olga", "Ol'ha"},
	{"Halyna", "Galina", "Halina", "Galyna"},
	{"Hanna", "Ganna", "~Anna", "~Hannah", "~Ana", "~Anne"},
	{"Hryhorii", "Grigory", "Hryhoriy", "Grigorii", "Grygorii", "~Gregory", "~Gregorio"},
	{"Heorhii", "Georgii", "Georgiy", "Heorhiy", "~George", "~Georges", "~Jorge", "~Giorgi"},
	{"Kateryna", "Katerina", "Ekaterina", "Yekaterina", "Katheryna", "~Catherine", "~Katherine", "~Kathryn", "~Catalina", "~Catarina"},
	{"Tetiana", "Tatiana", "Tetyana", "Tatyana", "Tatjana"},
	{"Svitlana", "Svetlana"},
	{"Liudmyla", "Lyudmyla", "Ludmila", "Lyudmila", "Ludmyla"},
	{"Iryna", "Irina", "~Irene"},
	{"Nataliia", "Natalia", "Nataliya", "Natalya", "Nataliya", "~Natalie", "~Nathalie", "~Natalie"},
	{"Yuliia", "Yulia", "Iuliia", "Julia", "Yuliya", "Julija", "~Julie", "~Giulia"},
	{"Viktoriia", "Viktoria", "Victoria", "Viktoriya"},
	{"Oksana", "Oxana"},
	{"Mariia", "Maria", "Mariya", "María", "Marija", "~Marie", "~Mary"},
	{"Vasyl", "Vasil", "Vasily", "Vasyli", "Vassili", "~Basil"},
	{"Petro", "~Peter", "~Pedro", "~Pierre", "~Pyotr", "~Petr", "~Pietro"},
	{"Pavlo", "~Paul", "~Pablo", "~Pavel", "~Paulo", "~Paolo"},
	{"Andrii", "Andriy", "Andrey", "Andrei", "Andrij", "~Andrew", "~Andrés", "~André", "~Andrea", "~Andreas"},
	{"Stepan", "~Stephen", "~Steven", "~Esteban", "~Étienne", "~Stefan"},
	{"Danylo", "~Daniel", "~Daniil"},
	{"Kostiantyn", "Kostyantyn", "Konstantin", "Kostyantin", "~Constantin"},
	{"Yaroslav", "Iaroslav", "Jaroslav"},
	{"Yurii", "Yuriy", "Yuri", "Iurii", "Jurij", "Yury"},
	{"Maksym", "Maxim", "Maksim", "~Maxime"},
	{"Artem", "Artyom", "Artiom"},
	{"Kovalchuk", "Kowalczuk"},
	{"Hnatiuk", "Hnatyuk", "Gnatyuk", "Gnatiuk"},
	// English, Spanish, French.
	{"Sean", "Shaun", "Shawn", "Shaan"},
	{"Cristian", "Christian", "Kristian", "Cristhian"},
	{"Jonathan", "Jhonatan", "Jonatan", "Yonatan", "Johnathan"},
	{"Brayan", "Bryan", "Brian"},
	{"Diallo", "Jallow", "Djallo"},
	{"Ouedraogo", "Wedraogo", "Ouédraogo"},
	{"Coulibaly", "Kulibali", "Kouliabaly"},
}

type groupInfo struct {
	group   int32
	cognate bool
	canon   string // the group's canonical spelling
	code    string // its phonetic code
}

// groupOf maps a spelling's canonical form to its group.
var groupOf = buildGroups()

// groupSpellings holds, for each group (group-1), its spellings folded as
// a token's fold is (lower case, Latin script, words joined).
var groupSpellings = func() [][]string {
	out := make([][]string, len(nameGroups))
	for i, g := range nameGroups {
		for _, s := range g {
			out[i] = append(out[i], strings.Join(parseWords(strings.TrimPrefix(s, "~")), ""))
		}
	}
	return out
}()

func buildGroups() map[string]groupInfo {
	m := make(map[string]groupInfo)
	for i, g := range nameGroups {
		first := canonicalWord(g[0], false)
		info := groupInfo{group: int32(i + 1), canon: first, code: phonetic(first)}
		for _, s := range g {
			info.cognate = strings.HasPrefix(s, "~")
			s = strings.TrimPrefix(s, "~")
			for _, family := range []bool{false, true} {
				c := canonicalWord(s, family)
				if _, dup := m[c]; !dup {
					m[c] = info
				}
			}
		}
	}
	return m
}

// canonicalWord is the canonical form of a spelling read as one token.
func canonicalWord(s string, family bool) string {
	n := parseWords(s)
	return canonical(strings.Join(n, ""), family)
}

// nameFrequency is roughly the share of clients who bear a name, as given
// or family name, in a mixed caseload like the demo's (a quarter English
// speakers, a sixth Arabic, a sixth Dari and Pashto, a tenth each Spanish,
// Ukrainian, Somali and Tigrinya, a twelfth French): the share of the
// language times the name's share among its speakers. It is keyed by
// canonical form, or by group for a grouped name, so that it counts all
// spellings. Agreement on a frequent name is weaker evidence: the weight of
// an exact agreement is log2(m/u) with u the frequency (Fellegi and Sunter's
// frequency-based weights). Names not listed count as rare: defaultGivenFreq,
// defaultFamilyFreq.
var nameFrequency = buildFrequency(map[string]float64{
	// Arabic, Somali, Dari and Pashto, as given names and, for Somalis,
	// as family names (the father's given name).
	"Mohammed": 0.04, "Ahmed": 0.02, "Ali": 0.02, "Hassan": 0.015, "Hussein": 0.01, "Omar": 0.01,
	"Abdullah": 0.008, "Abdulrahman": 0.007, "Yusuf": 0.008, "Ibrahim": 0.006, "Mahmoud": 0.005, "Mustafa": 0.005,
	"Osman": 0.005, "Abdi": 0.006, "Ismail": 0.004, "Farah": 0.004, "Jama": 0.003, "Nur": 0.003, "Aden": 0.003,
	"Said": 0.004, "Khalid": 0.003, "Hamid": 0.003, "Abdikarim": 0.003, "Reza": 0.003, "Karim": 0.003, "Jawad": 0.002,
	"Fatima": 0.012, "Aisha": 0.005, "Maryam": 0.006, "Zainab": 0.003, "Zahra": 0.005, "Amina": 0.005, "Khadija": 0.003,
	"Halima": 0.003, "Hawa": 0.003, "Noor": 0.003, "Sara": 0.003, "Layla": 0.002,
	"Khan": 0.006, "Ahmadi": 0.004, "Mohammadi": 0.003, "Hosseini": 0.003, "Rahimi": 0.003, "Karimi": 0.003,
	"Hashimi": 0.003, "Sultani": 0.002, "Azizi": 0.002, "Haddad": 0.002, "Khalil": 0.002, "Al-Ahmad": 0.002,
	// Tigrinya: given names, and family names that are fathers' names.
	"Yonas": 0.006, "Dawit": 0.006, "Tesfay": 0.005, "Mehari": 0.004, "Berhane": 0.004, "Kidane": 0.004, "Tekle": 0.004,
	"Haile": 0.004, "Yohannes": 0.005, "Selam": 0.004, "Helen": 0.004, "Senait": 0.003, "Saba": 0.002,
	// Ukrainian.
	"Oleksandr": 0.004, "Olena": 0.003, "Andrii": 0.003, "Serhii": 0.0025, "Dmytro": 0.0025, "Iryna": 0.0025,
	"Nataliia": 0.0025, "Tetiana": 0.002, "Yuliia": 0.002, "Oksana": 0.002, "Mariia": 0.008,
	// Spanish, French, English.
	"José": 0.004, "Juan": 0.003, "Luis": 0.003, "Carlos": 0.003, "Ana": 0.003, "María José": 0.002,
	"García": 0.004, "López": 0.003, "Rodríguez": 0.003, "Martínez": 0.003, "Hernández": 0.003, "González": 0.003,
	"Pérez": 0.003, "Sánchez": 0.003, "Jean": 0.003, "Marie": 0.003, "Mamadou": 0.003, "Aminata": 0.002,
	"Diallo": 0.004, "Traoré": 0.002, "Koné": 0.002, "Camara": 0.002, "Diop": 0.002,
	"James": 0.002, "David": 0.003, "Michael": 0.003, "Daniel": 0.003, "Smith": 0.0025, "Jones": 0.002, "Williams": 0.002,
})

func buildFrequency(in map[string]float64) map[string]float64 {
	// Names of one group (Yohannes, John, Jean) add up. In sorted order, so
	// that the sums do not depend on the map's.
	names := make([]string, 0, len(in))
	for s := range in {
		names = append(names, s)
	}
	sort.Strings(names)
	m := make(map[string]float64, len(in))
	for _, s := range names {
		c := canonicalWord(s, false)
		if g, ok := groupOf[c]; ok {
			c = g.canon
		}
		m[c] += in[s]
	}
	return m
}
