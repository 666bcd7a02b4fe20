package match

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/accord-project/accord"
)

// This file generates the labelled data the evaluation and the benchmark
// use: a population of clients in households, as a mixed urban caseload
// looks (the language mix of package demo), and, for some of them, the record
// a navigator at another partner would type when the same person comes back,
// with the errors intake really makes. Each entry of a name list is one name
// with its usual spellings, the most usual first, so that a returning person
// can be spelled another way. Lists are in rough order of frequency.

type language struct {
	code          string
	weight        int
	men, women    []string
	family        []string
	familyFather  float64 // chance the family name is the father's given name (Somali, Eritrean)
	twoSurnames   bool    // Spanish: father's first surname and mother's first surname
	noFamily      float64 // chance of one name only (Afghan)
	slavic        bool    // feminine family names end in -a
	unknownDay    float64 // chance the birth date is only a year or 1 January
	homePrefix    string  // country code of a phone from home
	homeDigits    int     // digits of a national number there
	shareOfPhones float64 // chance an adult has a phone
	// Real names have a long tail the lists lack: rare[0] is the chance of
	// a given name, rare[1] of a family name outside the lists, made of
	// syllables and endings usual in the language. With zipf, it sets how
	// common the commonest names are: about 4 % of English-speaking men
	// are the first of the list, 2 % of families Smith; 13 % of Arabic- and
	// Somali-speaking men a Mohammed, 9 % of Ukrainian-speaking men an
	// Oleksandr, 5 % of Spanish-speaking families García.
	rare      [2]float64
	zipf      float64 // exponent of the lists' Zipf distribution: 1 is steep
	syllables []string
	endings   []string
}

var languages = []*language{
	{
		code: "en", zipf: 0.6, rare: [2]float64{0.7, 0.85},
		syllables: []string{"Ash", "Brad", "Cal", "Dun", "Ell", "Fair", "Gar", "Hol", "Kings", "Lang", "Mar", "Nor", "Pen", "Rad", "Shel", "Thorn", "Wal", "Wick", "Brom", "Craw", "Al", "Den", "Bur", "Chest"},
		endings:   []string{"ton", "ford", "ley", "wood", "by", "ham", "field", "well", "more", "wick", "son", "er"},
		weight:    24, unknownDay: 0.02, homePrefix: "44", homeDigits: 10, shareOfPhones: 0.9,
		women: []string{"Emily", "Sophie|Sophia", "Chloe|Chloé", "Jessica", "Grace", "Olivia", "Amelia", "Jade", "Leanne|Lianne", "Margaret",
			"Patricia", "Jean", "Shirley", "Niamh", "Siobhan", "Precious", "Aaliyah|Aliyah", "Kayleigh|Kayley|Kaylee", "Bethany", "Doreen",
			"Sarah|Sara", "Emma", "Hannah|Hanna", "Rebecca", "Charlotte", "Laura", "Amy", "Rachel", "Lauren", "Catherine|Katherine|Kathryn",
			"Elizabeth", "Susan", "Deborah|Debra", "Joanne", "Michelle", "Nicola", "Claire|Clare", "Stephanie", "Megan", "Zoe|Zoë"},
		men: []string{"Jack", "Liam", "Connor|Conor", "Daniel", "James", "Thomas", "Ryan", "Kieran|Kieron", "David", "Michael",
			"Robert", "George", "Kwame", "Chukwuemeka", "Dwayne|Duane", "Stephen|Steven", "Patrick", "Callum|Calum", "Wayne", "Harold",
			"John|Jon", "William", "Joseph", "Christopher", "Matthew|Mathew", "Andrew", "Mark|Marc", "Paul", "Peter", "Richard",
			"Anthony|Antony", "Adam", "Jamie", "Lee|Leigh", "Craig", "Darren", "Gary", "Kevin", "Sean|Shaun|Shawn", "Marcus"},
		family: []string{"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies|Davis", "Evans", "Wilson", "Roberts", "Robinson",
			"Wright", "Walker", "Edwards", "Green|Greene", "Hall", "Lewis", "Harris", "Campbell", "Kelly", "Murphy",
			"O'Brien|OBrien|O Brien", "McCarthy|MacCarthy", "Mensah", "Okoye", "Adeyemi", "Kowalski", "Wiśniewski|Wisniewski", "Ahmed", "Khan", "Singh",
			"Thompson|Thomson", "Johnson", "White", "Hughes", "Clarke|Clark", "Jackson", "Wood", "Turner", "Hill", "Moore",
			"Cooper", "Ward", "Morris", "King", "Baker", "Patel", "Begum", "Hussain", "Okafor", "Nowak"},
	},
	{
		code: "ar", zipf: 0.9, rare: [2]float64{0.25, 0.7},
		syllables: []string{"Ab", "Bak", "Dab", "Far", "Ghan", "Haj", "Jab", "Kah", "Mal", "Nab", "Qar", "Rab", "Sab", "Tal", "Wak", "Zar", "Shar", "Dar", "Kam", "Lab"},
		endings:   []string{"i", "ani", "awi", "ash", "our", "ieh", "an", "oun"},
		weight:    15, unknownDay: 0.12, homePrefix: "963", homeDigits: 9, shareOfPhones: 0.85,
		women: []string{"Fatima|Fatma|Fatimah", "Aisha|Aysha|Aicha|Ayesha", "Mariam|Maryam|Meriem", "Noor|Nour|Nur", "Huda|Houda", "Rania", "Samira|Sameera", "Amal", "Hanan", "Zainab|Zeinab|Zaynab",
			"Yasmin|Yasmine|Jasmin", "Dalia", "Reem|Rim", "Rasha", "Lina|Leena", "Sara|Sarah", "Layla|Leila|Laila", "Nadia", "Salma", "Asma|Asmaa",
			"Heba|Hiba", "Iman|Eman", "Khadija|Khadijah|Khadidja", "Amira|Ameera", "Hala", "Mona|Muna", "Rana", "Shaima|Shaimaa", "Safa|Safaa", "Doaa|Duaa",
			"Ghada", "Nada", "Wafa|Wafaa", "Israa|Esraa", "Abeer|Abir", "Yara", "Razan", "Jana", "Sawsan", "Ruba"},
		men: []string{"Mohammed|Muhammad|Mohamed|Mohammad|Mohamad", "Ahmad|Ahmed", "Ali", "Omar|Umar", "Hassan|Hasan", "Hussein|Hussain|Husein|Husayn", "Khaled|Khalid", "Youssef|Yousef|Yusuf|Yousif", "Ibrahim|Ebrahim", "Mahmoud|Mahmud",
			"Mustafa|Moustafa|Mostafa", "Abdulrahman|Abdul Rahman|Abdelrahman|Abd al-Rahman|Abdurrahman", "Abdullah|Abdallah|Abdulla", "Tariq|Tarek|Tareq", "Bilal", "Karim|Kareem", "Samir|Sameer", "Walid|Waleed", "Saeed|Said|Sayed", "Jamal|Gamal|Djamel",
			"Nasser|Nasir|Naser", "Amir|Ameer", "Fadi", "Rami|Ramy", "Hamza|Hamzah", "Osama|Usama|Oussama", "Anas", "Majid|Majed", "Salim|Salem|Saleem", "Adel|Adil",
			"Yasser|Yasir", "Zaid|Zayd", "Hisham|Hesham", "Ayman|Aiman", "Qasim|Kassem|Qassem", "Sami|Samy", "Faisal|Faysal", "Imad|Emad", "Marwan", "Nabil|Nabeel"},
		family: []string{"Al-Ahmad|Al Ahmad|Alahmad", "Haddad", "Khalil", "Mansour|Mansur", "Nasser", "Saleh|Salih", "Hamdan", "Darwish|Darwich", "Al-Khatib|Al Khatib|El-Khatib", "Abdullah|Abdallah",
			"Suleiman|Sulaiman|Sleiman|Soliman", "Al-Masri|Al Masri|El-Masri", "Qassem|Kassem|Qasem", "Awad", "Jaber|Jabir", "Othman|Osman|Uthman", "Hamid|Hamed", "Hassan", "Hussein|Hussain", "Ibrahim",
			"Mahmoud|Mahmud", "Mohammed|Mohamed|Muhammad", "Al-Hassan|Al Hassan", "Abu Ali|Abou Ali|Abuali", "Yassin|Yasin|Yaseen", "Khoury|Khouri|Khuri", "Aziz", "Nassar", "Shaheen|Shahin", "Hijazi|Hegazy",
			"Said|Saeed", "Zaher|Zahir", "Barakat", "Habib", "Rashid|Rasheed", "Salem", "Halabi|Al-Halabi", "Homsi|Al-Homsi", "Hammoud|Hamoud", "Issa|Eissa",
			"Mousa|Musa|Moussa", "Al-Ali|Al Ali", "Idris|Idriss", "Faraj|Farag", "Sabbagh|Sabag", "Kurdi|Al-Kurdi", "Najjar|Al-Najjar", "Tamimi|Al-Tamimi", "Zoubi|Al-Zoubi|Zubi", "Shami|Al-Shami"},
	},
	{
		code: "es", zipf: 0.8, rare: [2]float64{0.5, 0.75},
		syllables: []string{"Al", "Ber", "Cal", "Dor", "Es", "Fer", "Gal", "Her", "Ib", "Lar", "Mon", "Nav", "Ol", "Pas", "Quin", "Ros", "Sal", "Tor", "Ur", "Val", "Zam"},
		endings:   []string{"ez", "ero", "illo", "ada", "ares", "ón", "eda", "uelo", "ano"},
		weight:    10, unknownDay: 0.02, homePrefix: "57", homeDigits: 10, shareOfPhones: 0.9, twoSurnames: true,
		women: []string{"María José|Maria Jose", "Ana", "Lucía|Lucia", "Carmen", "Valentina", "Daniela", "Gabriela", "Paola", "Rosa", "Marisol",
			"Yesenia|Jesenia", "Camila", "Guadalupe", "Luz Marina", "Adriana", "Sofía|Sofia", "Isabel", "Mariana", "Andrea", "Alejandra",
			"Diana", "Karla|Carla", "Verónica|Veronica", "Patricia", "Natalia", "Claudia", "Leidy|Leydi", "Yuliana|Juliana", "Milagros", "Fernanda"},
		men: []string{"José Luis|Jose Luis", "Juan Carlos", "Carlos", "Luis", "Miguel", "Andrés|Andres", "Javier|Xavier", "Diego", "Jorge", "Alejandro",
			"Wilmer|Wilmar", "Santiago", "Jhon|John", "Edwin", "Héctor|Hector", "Juan", "José|Jose", "Jesús|Jesus", "Manuel", "Francisco",
			"Pedro", "Ricardo", "Fernando", "Óscar|Oscar", "Julio", "Sergio", "Mauricio", "Cristian|Christian", "Jhonatan|Jonathan", "Brayan|Bryan"},
		family: []string{"García|Garcia", "López|Lopez", "Hernández|Hernandez", "Ruiz", "Martínez|Martinez", "Rodríguez|Rodriguez", "Pérez|Perez", "González|Gonzalez", "Sánchez|Sanchez", "Ramírez|Ramirez",
			"Castillo", "Torres", "Flores", "Núñez|Nunez", "Vargas", "Méndez|Mendez", "Castro", "Ortiz", "Morales", "Jiménez|Jimenez",
			"Gómez|Gomez", "Díaz|Diaz", "Romero", "Álvarez|Alvarez", "Suárez|Suarez", "Rojas", "Gutiérrez|Gutierrez", "Mendoza", "Chávez|Chavez", "Herrera",
			"Medina", "Aguilar", "Vásquez|Vasquez|Vázquez", "Reyes", "Cruz", "De la Cruz|Delacruz", "Muñoz|Munoz", "Salazar", "Guzmán|Guzman", "Benítez|Benitez"},
	},
	{
		code: "fr", zipf: 0.7, rare: [2]float64{0.5, 0.7},
		syllables: []string{"Bel", "Cour", "Dum", "Fon", "Gir", "Lac", "Mar", "Mor", "Pel", "Ren", "Roch", "Sauv", "Ver", "Bou", "Ngu", "Kab", "Mwa", "Tsh", "Lok", "Mus"},
		endings:   []string{"ier", "eau", "ard", "et", "elle", "ange", "ba", "mbo", "ndu", "la"},
		weight:    8, unknownDay: 0.1, homePrefix: "243", homeDigits: 9, shareOfPhones: 0.85,
		women: []string{"Marie-Claire|Marie Claire", "Aminata", "Fatoumata|Fatumata", "Grâce|Grace", "Esther", "Josiane", "Clarisse", "Mireille", "Nadège|Nadege", "Chantal",
			"Bénédicte|Benedicte", "Fabiola", "Rose-Marie|Rose Marie", "Solange", "Mariama", "Awa", "Kadiatou|Kadidiatou", "Aïssatou|Aissatou", "Hawa", "Ramatoulaye",
			"Marie", "Jeanne", "Françoise|Francoise", "Béatrice|Beatrice", "Odette", "Nathalie", "Sandrine", "Divine", "Exaucée|Exaucee", "Pascaline"},
		men: []string{"Jean-Baptiste|Jean Baptiste", "Patrice", "Emmanuel", "Serge", "Didier", "Ibrahima", "Mamadou|Mamadu", "Moussa|Musa", "Olivier", "Christian",
			"Fabrice", "Thierry", "Jean-Pierre|Jean Pierre", "Guy-Roger", "Abdoulaye|Abdulaye", "Ousmane|Usman", "Boubacar|Aboubacar", "Souleymane|Souleimane", "Amadou", "Lamine",
			"Cheikh|Sheikh", "Alassane", "Sékou|Sekou", "Issa", "Joseph", "Jean", "Pierre", "Jean-Claude|Jean Claude", "Dieudonné|Dieudonne", "Blaise"},
		family: []string{"Mbala", "Tshibanda", "Diallo|Jallow", "Traoré|Traore", "Camara|Kamara", "Koné|Kone", "Bamba", "Ngoma", "Mukendi", "Kasongo",
			"Lumbala", "Pierre-Louis|Pierre Louis", "Joseph", "Étienne|Etienne", "Nzeyimana", "Habimana", "Uwimana", "Mbuyi", "Fofana", "Ndiaye|N'Diaye",
			"Diop", "Sow", "Barry", "Keita|Keïta", "Coulibaly|Kulibali", "Touré|Toure", "Cissé|Cisse", "Sylla|Silla", "Sanogo", "Ouédraogo|Ouedraogo",
			"Kabila", "Ilunga", "Kalala", "Mutombo", "Nkurunziza", "Niyonzima", "Bizimana", "Ndayisaba", "Saint-Fleur", "Dorvil"},
	},
	{
		code: "uk", zipf: 0.8, rare: [2]float64{0.4, 0.8},
		syllables: []string{"Bil", "Hor", "Kal", "Lit", "Mak", "Nech", "Ost", "Pry", "Sav", "Tym", "Vol", "Yar", "Zin", "Dor", "Kur", "Lev", "Myr", "Pol", "Rom", "Shap"},
		endings:   []string{"enko", "chuk", "yk", "iv", "iak", "ets", "ovych", "ko", "uk", "yshyn"},
		weight:    10, unknownDay: 0.01, homePrefix: "380", homeDigits: 9, shareOfPhones: 0.95, slavic: true,
		women: []string{"Olena|Elena", "Oksana|Oxana", "Iryna|Irina", "Nataliia|Natalia|Nataliya|Natalya", "Yuliia|Yulia|Iuliia|Julia", "Tetiana|Tatiana|Tetyana", "Kateryna|Katerina", "Svitlana|Svetlana", "Halyna|Galina", "Mariia|Maria|Mariya",
			"Anastasiia|Anastasia|Anastasiya", "Viktoriia|Viktoria|Victoria", "Liudmyla|Lyudmyla|Ludmila", "Olha|Olga", "Nadiia|Nadia|Nadiya", "Larysa|Larisa", "Valentyna|Valentina", "Inna", "Alla", "Dariia|Daria|Darya",
			"Sofiia|Sofia|Sofiya", "Khrystyna|Khristina|Kristina", "Hanna|Anna|Ganna", "Lesia|Lesya", "Zoriana|Zoryana", "Vira|Vera", "Liubov|Lyubov", "Marta", "Polina", "Ivanna"},
		men: []string{"Oleksandr|Olexandr|Aleksandr|Alexander", "Andrii|Andriy|Andrey", "Serhii|Serhiy|Sergiy|Sergey", "Dmytro|Dmitry|Dmitro", "Mykola|Nikolai", "Volodymyr|Vladimir", "Yurii|Yuriy|Yuri", "Vasyl|Vasil", "Bohdan|Bogdan", "Taras",
			"Ihor|Igor", "Maksym|Maxim", "Oleh|Oleg", "Viktor|Victor", "Petro", "Ivan", "Roman", "Pavlo", "Mykhailo|Mykhaylo|Mikhail", "Vitalii|Vitaliy",
			"Yevhen|Ievgen|Evgeny", "Artem|Artyom", "Denys|Denis", "Anatolii|Anatoliy", "Vadym|Vadim", "Stepan", "Ruslan", "Yaroslav|Iaroslav", "Kostiantyn|Kostyantyn", "Valerii|Valeriy"},
		family: []string{"Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk|Melnik", "Boiko|Boyko", "Kovalchuk", "Oliinyk|Oliynyk", "Lysenko|Lisenko", "Marchenko",
			"Savchenko", "Rudenko", "Petrenko", "Moroz", "Hnatiuk|Hnatyuk", "Pavlenko", "Kovalenko", "Koval", "Shevchuk", "Polishchuk|Polischuk",
			"Bondar", "Tkachuk", "Kravets", "Ponomarenko", "Kuzmenko", "Vasylenko|Vasilenko", "Levchenko", "Klymenko|Klimenko", "Kharchenko", "Sydorenko|Sidorenko",
			"Ivanov", "Petrov", "Kovalskyi|Kovalskiy", "Horbunov|Gorbunov", "Zhuk", "Symonenko|Simonenko", "Yakovenko|Iakovenko", "Hrytsenko|Gritsenko", "Romaniuk|Romanyuk", "Fedorenko"},
	},
	{
		code: "fa-AF", zipf: 0.9, rare: [2]float64{0.2, 0.4},
		syllables: []string{"Bar", "Dar", "Far", "Gul", "Jah", "Kar", "Mir", "Nas", "Pay", "Sam", "Shah", "Taj", "Wah", "Zar", "Ham", "Kam", "Raz", "Sah", "Yam", "Noz"},
		endings:   []string{"i", "zai", "yar", "khel", "wal", "zada", "ullah"},
		weight:    15, unknownDay: 0.35, homePrefix: "93", homeDigits: 9, shareOfPhones: 0.8, noFamily: 0.15,
		women: []string{"Zahra|Zahraa", "Fatima|Fatema", "Maryam|Mariam", "Nilofar|Nilufar", "Farzana", "Parwana|Parvana", "Shabnam", "Mursal", "Roya", "Marzia|Marziya",
			"Freshta|Fereshta|Fereshteh", "Sodaba|Sudaba", "Mahbooba|Mahbuba", "Gulalai", "Nazia", "Palwasha", "Zarghona|Zarghuna", "Shaista|Shayesta", "Wazhma|Wajma", "Mina|Meena",
			"Laila|Leila", "Nasrin|Nasreen", "Zainab", "Habiba", "Sakina|Sakineh", "Tahmina|Tahmineh", "Masooma|Masuma", "Hamida|Hameeda", "Setara|Sitara", "Soraya|Suraya"},
		men: []string{"Ahmad|Ahmed", "Mohammad|Mohammed|Muhammad", "Ali", "Hamid|Hameed", "Reza|Raza", "Jawad|Javad", "Mustafa|Mostafa", "Sayed|Sayyed|Said", "Abdul Wahid|Abdulwahid", "Sharif|Shareef",
			"Mahmood|Mahmud", "Naveed|Navid|Nawid", "Hussain|Hussein|Hossain", "Zaki", "Farid|Fareed", "Rahim|Raheem", "Karim|Kareem", "Hamidullah|Hamidollah", "Masood|Masoud|Masud", "Nasir|Naser",
			"Omid|Umid", "Wahid|Vahid", "Bashir|Basheer", "Qadir|Kadir", "Habib", "Ismail|Esmail", "Yaqub|Yaqoob", "Mirwais", "Ahmad Shah|Ahmadshah", "Zalmai|Zalmay",
			"Naqibullah|Naqibollah", "Hayatullah", "Samiullah", "Rahmatullah|Rahmatollah", "Asadullah|Asadallah|Asadollah", "Ajmal", "Bilal", "Jamshid|Jamsheed", "Fawad|Fuad", "Idris"},
		family: []string{"Ahmadi", "Rahimi", "Hashimi|Hashemi", "Karimi", "Sultani", "Hussaini|Hosseini|Husseini", "Mohammadi|Muhammadi", "Rezai|Rezaei", "Azizi", "Hakimi",
			"Jafari|Jaafari", "Sadat", "Haidari|Haideri|Heydari", "Khan", "Popal", "Stanikzai|Stanekzai", "Wardak", "Zadran", "Mangal", "Safi",
			"Durrani", "Ahmadzai", "Shinwari", "Noori|Nouri|Nuri", "Amiri", "Nazari", "Qaderi|Qadiri", "Rasuli|Rasouli", "Sharifi", "Habibi",
			"Noorzai|Nurzai", "Barakzai", "Alizada|Alizadeh", "Akbari", "Samadi", "Yousufzai|Yusufzai", "Naseri|Nasiri", "Rahmani", "Sediqi|Siddiqi", "Hotak|Hotaki"},
	},
	{
		code: "so", zipf: 0.9, rare: [2]float64{0.1, 0},
		syllables: []string{"Bar", "Cal", "Dhu", "Far", "Gaa", "Hir", "Jee", "Kah", "Mah", "Nuu", "Raa", "Sha", "Wa", "Yaa", "Xee", "Buu", "Cil", "Diir", "Guu", "Hur"},
		endings:   []string{"e", "ow", "o", "i", "ad", "ale"},
		weight:    9, unknownDay: 0.3, homePrefix: "252", homeDigits: 9, shareOfPhones: 0.85, familyFather: 1,
		women: []string{"Amina|Aamina", "Faadumo|Fadumo|Fatuma", "Sahra|Sahro", "Ifrah", "Hibo", "Asha|Aisha", "Nimco|Nimo", "Ayaan|Ayan", "Deeqa|Deqa", "Ubah|Ubax",
			"Khadra", "Hodan", "Halima|Xaliimo|Halimo", "Maryan|Mariam", "Hawa|Xawo|Hawo", "Sagal", "Hamdi", "Najma", "Filsan", "Muna",
			"Nasra", "Samira|Samiira", "Hinda", "Suad|Sucaad", "Ikran", "Ladan", "Fardowsa|Fardosa", "Saida|Saciida", "Anab", "Qamar|Kamar"},
		men: []string{"Mohamed|Maxamed|Mohammed", "Abdirahman|Abdurahman|Abdulrahman|Cabdiraxmaan", "Abdullahi|Abdillahi|Cabdullaahi", "Ahmed|Axmed", "Hassan|Xasan", "Ali|Cali", "Omar|Cumar", "Yusuf|Yuusuf", "Ismail|Ismaaciil", "Abdikarim|Abdulkarim",
			"Liban|Libaan", "Bashir|Bashiir", "Abdi|Cabdi", "Mahad", "Farah|Faarax", "Hussein|Xuseen", "Osman|Cismaan", "Ibrahim|Ibraahim", "Abdiaziz|Abdulaziz", "Mustafe|Mustafa",
			"Said|Siciid", "Khalid|Khaalid", "Jama|Jaamac", "Aden|Aadan|Adan", "Nur|Nuur|Noor", "Abdiwali|Abdulwali", "Abukar|Abubakar", "Hamza|Xamse", "Muse|Musa|Muuse", "Idris|Idiris",
			"Hirsi|Xirsi|Hersi", "Dahir|Daahir", "Guled|Guuleed", "Warsame", "Elmi|Cilmi", "Awil|Cawil", "Mukhtar|Muqtar", "Shire", "Samatar", "Duale|Dualeh"},
	},
	{
		code: "ti", zipf: 0.8, rare: [2]float64{0.25, 0.3},
		syllables: []string{"Ab", "Ber", "Dan", "Ef", "Ger", "Ham", "Kib", "Mes", "Neg", "Sel", "Tes", "Wel", "Yem", "Zer", "Ghe", "Hag", "Kah", "Ogb", "Tek", "Lem"},
		endings:   []string{"e", "om", "ay", "ai", "ezghi", "mariam", "hiwet", "et"},
		weight:    9, unknownDay: 0.3, homePrefix: "249", homeDigits: 9, shareOfPhones: 0.8, familyFather: 0.7,
		women: []string{"Selam", "Helen", "Senait|Senayt", "Luwam", "Yordanos", "Rahel", "Mebrat", "Tsega|Tsegga", "Aster", "Saba",
			"Feven|Fiven", "Winta", "Hiwet", "Ruta", "Eden", "Elsa", "Almaz", "Letemariam|Lettemariam", "Tirhas", "Abrehet",
			"Meron", "Semhar", "Hanna|Hana", "Lidya|Lydia", "Mihret|Mehret", "Segen", "Danait", "Nardos", "Bisrat", "Tsehaye"},
		men: []string{"Yonas", "Dawit", "Tesfay|Tesfaye|Tesfai", "Mehari", "Berhane|Berhani", "Samuel", "Kidane", "Semere|Semre", "Tekle|Teklay", "Habtom",
			"Goitom", "Filmon|Philemon", "Biniam|Biniyam", "Yohannes|Yohanes", "Mulugeta", "Amanuel|Emmanuel", "Michael|Mikael", "Abraham|Abrham", "Daniel", "Robel",
			"Henok|Henock", "Yemane|Yemaneh", "Haile", "Ghirmay|Girmay", "Tsegay|Tsegai", "Solomon|Solomun", "Efrem|Ephrem", "Tewelde|Tewolde", "Zerai|Zeray", "Asmerom"},
		family: []string{"Tesfamariam|Tesfamaryam", "Gebremedhin|Ghebremedhin", "Gebremeskel|Ghebremeskel", "Haile", "Tekle", "Woldemichael|Weldemichael", "Kidane", "Berhe", "Asmerom", "Ghebreyesus|Gebreyesus",
			"Mehari", "Abraha|Abreha", "Tsegay|Tsegai", "Habte", "Ghebrehiwet|Gebrehiwet", "Tesfagiorgis", "Weldu|Woldu", "Andemariam", "Okbazghi|Ogbazghi", "Teklehaimanot",
			"Kahsay|Kahsai", "Gebru|Ghebru", "Negash", "Fesehaye|Fsehaye", "Mesfin", "Yohannes", "Tewelde", "Ghirmay", "Zerai", "Hagos"},
	},
}

// world draws people. It holds its own random source, seeded, so that the
// data are the same on every run.
type world struct {
	r     *rand.Rand
	langs []int // cumulative weights
	zipf  map[zipfKey][]float64
}

type zipfKey struct {
	n int
	s float64
}

func newWorld(seed uint64) *world {
	w := &world{r: rand.New(rand.NewPCG(seed, 0x6d61746368)), zipf: map[zipfKey][]float64{}}
	sum := 0
	for _, l := range languages {
		sum += l.weight
		w.langs = append(w.langs, sum)
	}
	return w
}

// person is a generated client, with what the generator knows about how
// its names can be spelled.
type person struct {
	Person
	id        string
	lang      *language
	female    bool
	household int
	given     []string // one entry of a name list for each given name
	family    []string // and for each family name
}

func (w *world) chance(p float64) bool { return w.r.Float64() < p }

func (w *world) language() *language {
	n := w.r.IntN(w.langs[len(w.langs)-1])
	for i, c := range w.langs {
		if n < c {
			return languages[i]
		}
	}
	panic("unreachable")
}

// pick draws an entry of a list, the first ones more often (Zipf with
// exponent s).
func (w *world) pick(list []string, s float64) string {
	key := zipfKey{len(list), s}
	cum, ok := w.zipf[key]
	if !ok {
		sum := 0.0
		for i := range list {
			sum += 1 / math.Pow(float64(i+1), s)
			cum = append(cum, sum)
		}
		w.zipf[key] = cum
	}
	x := w.r.Float64() * cum[len(cum)-1]
	for i, c := range cum {
		if x < c {
			return list[i]
		}
	}
	return list[len(list)-1]
}

func (w *world) givenName(l *language, female bool) string {
	if w.chance(l.rare[0]) {
		return w.rareName(l, false)
	}
	if female {
		return w.pick(l.women, l.zipf)
	}
	return w.pick(l.men, l.zipf)
}

func (w *world) familyName(l *language) string {
	if w.chance(l.rare[1]) {
		return w.rareName(l, true)
	}
	return w.pick(l.family, l.zipf)
}

// rareName makes a name of two syllables, and an ending for a family name
// (or now and then a given name).
func (w *world) rareName(l *language, family bool) string {
	s := l.syllables[w.r.IntN(len(l.syllables))] + strings.ToLower(l.syllables[w.r.IntN(len(l.syllables))])
	if family || w.chance(0.3) {
		s += l.endings[w.r.IntN(len(l.endings))]
	}
	return "*" + s // marked, so that namesakes are drawn among usual names only
}

// spell draws a spelling of an entry: the first two times in three.
func (w *world) spell(entry string) string {
	sp := strings.Split(strings.TrimPrefix(entry, "*"), "|")
	if len(sp) == 1 || w.chance(0.67) {
		return sp[0]
	}
	return sp[1+w.r.IntN(len(sp)-1)]
}

// birthDate draws a date of birth for someone of about age at 2026, at the
// precision registrations of that language usually have.
func (w *world) birthDate(l *language, age int) string {
	y := 2026 - age
	m, d := 1+w.r.IntN(12), 1+w.r.IntN(28)
	switch x := w.r.Float64(); {
	case x < 0.03:
		return ""
	case x < 0.03+l.unknownDay/2:
		return fmt.Sprintf("%04d", y)
	case x < 0.03+l.unknownDay:
		return fmt.Sprintf("%04d-01-01", y)
	case x < 0.06+l.unknownDay:
		return fmt.Sprintf("%04d-%02d", y, m)
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

// phone draws a number: a local mobile (+44 7...), or one from home.
func (w *world) phone(l *language) string {
	if w.chance(0.8) {
		return fmt.Sprintf("+44 7%03d %06d", w.r.IntN(1000), w.r.IntN(1_000_000))
	}
	n := ""
	for range l.homeDigits {
		n += string(rune('0' + w.r.IntN(10)))
	}
	if n[0] == '0' {
		n = "6" + n[1:]
	}
	return "+" + l.homePrefix + " " + n
}

func (w *world) identifier() []accord.Identifier {
	switch x := w.r.Float64(); {
	case x < 0.12:
		return []accord.Identifier{{System: "unhcr", Value: fmt.Sprintf("%03d-%02dC%05d", w.r.IntN(1000), w.r.IntN(100), w.r.IntN(100000))}}
	case x < 0.2:
		return []accord.Identifier{{System: "nhs", Value: fmt.Sprintf("%03d %03d %04d", w.r.IntN(1000), w.r.IntN(1000), w.r.IntN(10000))}}
	case x < 0.25:
		return []accord.Identifier{{System: "clinic-north-mrn", Value: fmt.Sprintf("MRN%07d", w.r.IntN(10_000_000))}}
	}
	return nil
}

// household draws the people of one household: an adult, perhaps a spouse,
// and children, sharing family names as their culture does and often a
// phone.
func (w *world) household(hh int) []person {
	l := w.language()
	headFemale := w.chance(0.35)
	headAge := 20 + w.r.IntN(46)
	phone := ""
	if w.chance(l.shareOfPhones) {
		phone = w.phone(l)
	}
	fatherOfHead := w.givenName(l, false)
	head := w.member(l, hh, headFemale, headAge, fatherOfHead, nil)
	head.Phone = phone
	out := []person{head}
	var spouse *person
	if headAge > 22 && w.chance(0.5) {
		s := w.member(l, hh, !headFemale, max(18, headAge-6+w.r.IntN(12)), w.givenName(l, false), nil)
		if l.slavic || l.code == "en" || l.code == "fr" {
			s.family = head.family // takes the family name at marriage
			s.FamilyName = gendered(l, head.FamilyName, s.female)
		}
		if w.chance(0.5) {
			s.Phone = phone
		} else if w.chance(l.shareOfPhones) {
			s.Phone = w.phone(l)
		}
		out = append(out, s)
		spouse = &out[len(out)-1]
	}
	father, mother := &out[0], spouse
	if headFemale {
		father, mother = spouse, &out[0]
	}
	children := 0
	if headAge > 24 {
		children = w.r.IntN(5)
	}
	age := w.r.IntN(min(headAge-18, 17) + 1) // the oldest child's
	for range children {
		if age < 0 {
			break
		}
		c := w.child(l, hh, age, father, mother, &out[0])
		for tries := 0; tries < 5 && slices.ContainsFunc(out, func(o person) bool { return o.given[0] == c.given[0] }); tries++ {
			c.given[0] = w.givenName(l, c.female) // parents do not give two children one name
			w.spellNames(&c)
			c.FamilyName = gendered(l, c.FamilyName, c.female)
		}
		if age >= 14 && w.chance(0.5) {
			c.Phone = w.phone(l)
		} else if w.chance(0.6) {
			c.Phone = phone
		}
		out = append(out, c)
		if !w.chance(0.03) { // twins, now and then
			age -= 1 + w.r.IntN(3)
		}
	}
	return out
}

func (w *world) member(l *language, hh int, female bool, age int, father string, family []string) person {
	p := person{lang: l, female: female, household: hh}
	p.given = []string{w.givenName(l, female)}
	switch {
	case family != nil:
		p.family = family
	case l.familyFather > 0 && w.chance(l.familyFather):
		p.family = []string{father}
		if l.code == "so" && w.chance(0.3) {
			p.family = append(p.family, w.givenName(l, false)) // grandfather's name too
		}
	case l.twoSurnames:
		p.family = []string{w.familyName(l), w.familyName(l)}
	case l.noFamily > 0 && w.chance(l.noFamily):
	default:
		p.family = []string{w.familyName(l)}
	}
	w.spellNames(&p)
	p.BirthDate = w.birthDate(l, age)
	p.Identifiers = w.identifier()
	return p
}

func (w *world) spellNames(p *person) {
	var g, f []string
	for _, e := range p.given {
		g = append(g, w.spell(e))
	}
	for _, e := range p.family {
		f = append(f, w.spell(e))
	}
	p.GivenName = strings.Join(g, " ")
	p.FamilyName = strings.Join(f, " ")
	if p.female && len(f) == 1 {
		p.FamilyName = gendered(p.lang, p.FamilyName, true)
	}
}

func (w *world) child(l *language, hh, age int, father, mother, head *person) person {
	female := w.chance(0.5)
	var family []string
	switch {
	case l.familyFather > 0 && father != nil:
		family = father.given[:1]
	case l.twoSurnames && father != nil && mother != nil:
		family = []string{father.family[0], mother.family[0]}
	case len(head.family) > 0:
		family = head.family
	}
	c := w.member(l, hh, female, age, "", family)
	if family != nil && l.familyFather == 0 && !l.twoSurnames {
		c.FamilyName = gendered(l, head.FamilyName, female) // spelled as the parent's is
	}
	return c
}

// gendered returns a family name in the form for a woman or a man.
func gendered(l *language, family string, female bool) string {
	if !l.slavic {
		return family
	}
	switch {
	case strings.HasSuffix(family, "ska"):
		family = strings.TrimSuffix(family, "a") + "yi"
	case strings.HasSuffix(family, "ova"), strings.HasSuffix(family, "eva"), strings.HasSuffix(family, "ina"):
		family = strings.TrimSuffix(family, "a")
	}
	if female {
		switch {
		case strings.HasSuffix(family, "ov"), strings.HasSuffix(family, "ev"), strings.HasSuffix(family, "in"):
			return family + "a"
		case strings.HasSuffix(family, "skyi"), strings.HasSuffix(family, "skiy"):
			return family[:len(family)-2] + "a"
		}
	}
	return family
}

// population draws n clients in households.
func (w *world) population(n int) []person {
	out := make([]person, 0, n+8)
	for hh := 0; len(out) < n; hh++ {
		out = append(out, w.household(hh)...)
	}
	out = out[:n]
	for i := range out {
		out[i].id = fmt.Sprintf("cl_%07d", i)
	}
	return out
}

// An error is one thing that goes wrong when a returning person is
// registered again. Its weight is how often, in percent of errors made.
type variantError struct {
	name   string
	weight int
	apply  func(w *world, p *person) bool // false when it does not apply
}

var variantErrors = []variantError{
	{"given_respelled", 14, func(w *world, p *person) bool { return w.respell(p, false) }},
	{"family_respelled", 11, func(w *world, p *person) bool { return w.respell(p, true) }},
	{"given_typo", 5, func(w *world, p *person) bool { return w.typo(&p.GivenName) }},
	{"family_typo", 5, func(w *world, p *person) bool { return w.typo(&p.FamilyName) }},
	{"names_swapped", 5, func(w *world, p *person) bool {
		if p.FamilyName == "" {
			return false
		}
		p.GivenName, p.FamilyName = p.FamilyName, p.GivenName
		p.given, p.family = p.family, p.given
		return true
	}},
	{"date_year_only", 6, func(w *world, p *person) bool { return cut(&p.BirthDate, 4) }},
	{"date_month_only", 2, func(w *world, p *person) bool {
		return !strings.HasSuffix(p.BirthDate, "-01-01") && cut(&p.BirthDate, 7)
	}},
	{"date_missing", 4, func(w *world, p *person) bool { return cut(&p.BirthDate, 0) }},
	{"date_jan_1", 3, func(w *world, p *person) bool {
		if len(p.BirthDate) < 4 || strings.HasSuffix(p.BirthDate, "-01-01") {
			return false
		}
		p.BirthDate = p.BirthDate[:4] + "-01-01"
		return true
	}},
	{"date_transposed", 4, func(w *world, p *person) bool {
		if len(p.BirthDate) != 10 || p.BirthDate[8:] > "12" || p.BirthDate[5:7] == p.BirthDate[8:] {
			return false
		}
		p.BirthDate = p.BirthDate[:5] + p.BirthDate[8:] + "-" + p.BirthDate[5:7]
		return true
	}},
	{"date_day_typo", 2, func(w *world, p *person) bool {
		if len(p.BirthDate) != 10 {
			return false
		}
		d := p.BirthDate[9] - '0'
		day := fmt.Sprintf("%c%d", p.BirthDate[8], (d+1+uint8(w.r.IntN(8)))%10)
		if day == "00" || day > "28" {
			return false
		}
		p.BirthDate = p.BirthDate[:8] + day
		return true
	}},
	{"date_year_estimated", 2, func(w *world, p *person) bool {
		if len(p.BirthDate) < 4 {
			return false
		}
		y := int(p.BirthDate[3]-'0') + 2*w.r.IntN(2) - 1
		if y < 0 || y > 9 {
			return false
		}
		p.BirthDate = fmt.Sprintf("%s%d", p.BirthDate[:3], y) // an age, not a date
		return true
	}},
	{"phone_missing", 7, func(w *world, p *person) bool { return cut(&p.Phone, 0) }},
	{"phone_format", 6, func(w *world, p *person) bool {
		d := phoneDigits(p.Phone)
		national := strings.TrimLeft(strings.TrimPrefix(strings.TrimLeft(d, "0"), "44"), "0")
		if len(national) != 10 {
			return false
		}
		switch w.r.IntN(3) {
		case 0:
			p.Phone = "0" + national[:4] + " " + national[4:]
		case 1:
			p.Phone = "0044" + national
		default:
			p.Phone = "+44 (0)" + national
		}
		return true
	}},
	{"phone_digit", 3, func(w *world, p *person) bool {
		if len(p.Phone) < 8 {
			return false
		}
		b := []byte(p.Phone)
		i := len(b) - 1 - w.r.IntN(6)
		if b[i] < '0' || b[i] > '9' {
			return false
		}
		b[i] = '0' + (b[i]-'0'+1)%10
		p.Phone = string(b)
		return true
	}},
	{"phone_new", 6, func(w *world, p *person) bool { p.Phone = w.phone(p.lang); return true }},
	{"case_and_accents", 5, func(w *world, p *person) bool {
		if w.chance(0.5) {
			p.GivenName, p.FamilyName = strings.ToUpper(p.GivenName), strings.ToUpper(p.FamilyName)
		}
		p.GivenName, p.FamilyName = stripAccents(p.GivenName), stripAccents(p.FamilyName)
		return true
	}},
	{"hyphen_space", 4, func(w *world, p *person) bool {
		for _, s := range []*string{&p.GivenName, &p.FamilyName} {
			switch {
			case strings.Contains(*s, "-"):
				*s = strings.ReplaceAll(*s, "-", []string{" ", ""}[w.r.IntN(2)])
				return true
			case strings.Contains(*s, " ") && w.chance(0.5):
				*s = strings.Replace(*s, " ", "-", 1)
				return true
			}
		}
		return false
	}},
	{"second_name_dropped", 4, func(w *world, p *person) bool {
		for _, s := range []*string{&p.FamilyName, &p.GivenName} {
			if f := strings.Fields(*s); len(f) > 1 {
				*s = f[0]
				return true
			}
		}
		return false
	}},
	{"name_split_differently", 3, func(w *world, p *person) bool {
		// A three-part name (Faadumo Ismail Warsame) split at another
		// place: given Faadumo Ismail, family Warsame.
		g, f := strings.Fields(p.GivenName), strings.Fields(p.FamilyName)
		switch {
		case len(f) > 1 && len(p.family) == len(f):
			p.GivenName, p.FamilyName = strings.Join(append(g, f[0]), " "), strings.Join(f[1:], " ")
			p.given, p.family = append(slices.Clip(p.given), p.family[0]), p.family[1:]
		case len(g) > 1 && len(p.given) == len(g):
			p.GivenName, p.FamilyName = strings.Join(g[:len(g)-1], " "), strings.Join(append(g[len(g)-1:], f...), " ")
			p.given, p.family = p.given[:len(g)-1], append([]string{p.given[len(g)-1]}, p.family...)
		default:
			return false
		}
		return true
	}},
	{"family_missing", 2, func(w *world, p *person) bool { return cut(&p.FamilyName, 0) }},
}

func cut(s *string, n int) bool {
	if len(*s) <= n {
		return false
	}
	*s = (*s)[:n]
	return true
}

func stripAccents(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// respell spells a name another of its usual ways.
func (w *world) respell(p *person, family bool) bool {
	entries, field := p.given, &p.GivenName
	if family {
		entries, field = p.family, &p.FamilyName
	}
	if len(entries) == 0 || strings.Contains(*field, " ") && len(entries) != len(strings.Fields(*field)) {
		return false
	}
	i := w.r.IntN(len(entries))
	sp := strings.Split(strings.TrimPrefix(entries[i], "*"), "|")
	if len(sp) < 2 {
		return false
	}
	words := strings.Fields(*field)
	if len(words) != len(entries) {
		return false
	}
	cur := words[i]
	for range 4 {
		if s := sp[w.r.IntN(len(sp))]; !strings.EqualFold(s, cur) && !strings.Contains(s, " ") {
			if family && p.female {
				s = gendered(p.lang, s, true)
			}
			words[i] = s
			*field = strings.Join(words, " ")
			return true
		}
	}
	return false
}

// typo makes one slip of the keyboard or the ear in a name: a letter
// replaced by a neighbour or a like-sounding one, dropped, doubled, or two
// letters swapped; the first letter is kept.
func (w *world) typo(s *string) bool {
	b := []byte(*s)
	if len(b) < 4 {
		return false
	}
	i := 1 + w.r.IntN(len(b)-2)
	if b[i] == ' ' || b[i] == '-' || b[i] >= 0x80 || b[i+1] >= 0x80 {
		return false
	}
	switch w.r.IntN(4) {
	case 0:
		like := map[byte]string{'a': "eo", 'e': "ai", 'i': "ey", 'o': "au", 'u': "oa", 'y': "i", 's': "zc", 'z': "s", 'c': "k",
			'k': "cq", 'd': "t", 't': "d", 'm': "n", 'n': "m", 'l': "r", 'r': "l", 'b': "p", 'p': "b", 'f': "v", 'v': "w", 'h': "kg"}
		alt, ok := like[b[i]|0x20]
		if !ok {
			return false
		}
		c := alt[w.r.IntN(len(alt))]
		if b[i] < 'a' {
			c &^= 0x20
		}
		b[i] = c
	case 1:
		b = append(b[:i], b[i+1:]...)
	case 2:
		b = append(b[:i+1], b[i:]...)
	default:
		if b[i+1] == ' ' || b[i+1] == '-' {
			return false
		}
		b[i], b[i+1] = b[i+1], b[i]
	}
	*s = string(b)
	return true
}

// variant is the record a navigator would type for p on another visit,
// with the errors made (none sometimes: the same person typed alike).
func (w *world) variant(p person) (person, []string) {
	v := p
	v.Identifiers = nil
	if len(p.Identifiers) > 0 && p.Identifiers[0].System == "unhcr" && w.chance(0.4) {
		v.Identifiers = p.Identifiers // shown the card again
	}
	n := 0
	switch x := w.r.Float64(); {
	case x < 0.1:
	case x < 0.45:
		n = 1
	case x < 0.8:
		n = 2
	default:
		n = 3
	}
	total := 0
	for _, e := range variantErrors {
		total += e.weight
	}
	var made []string
	for tries := 0; len(made) < n && tries < 20; tries++ {
		x := w.r.IntN(total)
		for _, e := range variantErrors {
			if x < e.weight {
				if e.apply(w, &v) {
					made = append(made, e.name)
				}
				break
			}
			x -= e.weight
		}
	}
	return v, made
}

// stranger is someone not in the population who is easily taken for
// someone who is: a relative not yet registered (same family name, often
// the same phone, a birth date a few years apart, a twin now and then), a
// namesake (same names, another birth date), or just another person.
func (w *world) stranger(pop []person) (person, string) {
	p := pop[w.r.IntN(len(pop))]
	usual := func(p person) bool {
		return !slices.ContainsFunc(append(slices.Clip(p.given), p.family...), func(e string) bool { return strings.HasPrefix(e, "*") })
	}
	switch x := w.r.Float64(); {
	case x < 0.35:
		hh := w.household(-1)
		return hh[0], "new_person"
	case x < 0.7:
		s := w.member(p.lang, p.household, w.chance(0.5), 0, "", p.family)
		for tries := 0; tries < 5 && s.given[0] == p.given[0]; tries++ {
			s.given[0] = w.givenName(p.lang, s.female) // not the name of the one registered
			w.spellNames(&s)
		}
		s.FamilyName = gendered(p.lang, p.FamilyName, s.female)
		if w.chance(0.6) {
			s.Phone = p.Phone
		}
		if w.chance(0.05) {
			s.BirthDate = p.BirthDate
		} else if len(p.BirthDate) >= 4 {
			y := int(p.BirthDate[0]-'0')*1000 + int(p.BirthDate[1]-'0')*100 + int(p.BirthDate[2]-'0')*10 + int(p.BirthDate[3]-'0')
			y += (1 + w.r.IntN(6)) * (2*w.r.IntN(2) - 1)
			s.BirthDate = w.birthDate(p.lang, 2026-y)
		}
		return s, "relative"
	default:
		// Namesakes share usual names; two people with the same rare name
		// are rare.
		for tries := 0; tries < 50 && !usual(p); tries++ {
			p = pop[w.r.IntN(len(pop))]
		}
		s := p
		w.spellNames(&s)
		s.BirthDate = w.birthDate(p.lang, 18+w.r.IntN(50))
		s.Phone = ""
		if w.chance(p.lang.shareOfPhones) {
			s.Phone = w.phone(p.lang)
		}
		s.Identifiers = w.identifier()
		return s, "namesake"
	}
}
