/**
 * Sentences written for SUM to check language detection: three per language,
 * from a short note to a few lines, in the register of captured thoughts and
 * documents. Shared by the detector comparison and the unit tests.
 */
export interface LanguageSample {
  readonly language: string;
  readonly text: string;
}

const SAMPLES: Record<string, readonly string[]> = {
  en: [
    "Remember to call the dentist tomorrow morning.",
    "The committee postponed its decision because several members wanted more time to read the report.",
    "Our new storage layer keeps every event in the same transaction as the write that caused it, so nothing is lost when the process stops unexpectedly.",
  ],
  de: [
    "Morgen früh muss ich unbedingt den Zahnarzt anrufen.",
    "Der Ausschuss hat seine Entscheidung verschoben, weil mehrere Mitglieder mehr Zeit zum Lesen des Berichts wollten.",
    "Unsere neue Speicherschicht schreibt jedes Ereignis in derselben Transaktion wie die Änderung, die es ausgelöst hat, damit nichts verloren geht.",
  ],
  fr: [
    "Il faut que j'appelle le dentiste demain matin.",
    "Le comité a reporté sa décision parce que plusieurs membres voulaient plus de temps pour lire le rapport.",
    "Notre nouvelle couche de stockage enregistre chaque événement dans la même transaction que l'écriture qui l'a provoqué, afin que rien ne soit perdu.",
  ],
  es: [
    "Tengo que llamar al dentista mañana por la mañana.",
    "El comité aplazó su decisión porque varios miembros querían más tiempo para leer el informe.",
    "Nuestra nueva capa de almacenamiento guarda cada evento en la misma transacción que la escritura que lo causó, para que no se pierda nada.",
  ],
  it: [
    "Domani mattina devo chiamare il dentista.",
    "Il comitato ha rinviato la decisione perché diversi membri volevano più tempo per leggere la relazione.",
    "Il nostro nuovo livello di archiviazione salva ogni evento nella stessa transazione della scrittura che lo ha causato, così non si perde nulla.",
  ],
  pt: [
    "Preciso ligar para o dentista amanhã de manhã.",
    "O comitê adiou a decisão porque vários membros queriam mais tempo para ler o relatório.",
    "A nossa nova camada de armazenamento guarda cada evento na mesma transação que a escrita que o causou, para que nada se perca.",
  ],
  nl: [
    "Morgenochtend moet ik de tandarts bellen.",
    "De commissie heeft haar besluit uitgesteld omdat verschillende leden meer tijd wilden om het rapport te lezen.",
    "Onze nieuwe opslaglaag bewaart elke gebeurtenis in dezelfde transactie als de wijziging die haar veroorzaakte, zodat er niets verloren gaat.",
  ],
  sv: [
    "Jag måste ringa tandläkaren i morgon bitti.",
    "Kommittén sköt upp sitt beslut eftersom flera ledamöter ville ha mer tid att läsa rapporten.",
    "Vårt nya lagringslager sparar varje händelse i samma transaktion som skrivningen som orsakade den, så att ingenting går förlorat.",
  ],
  pl: [
    "Jutro rano muszę zadzwonić do dentysty.",
    "Komisja odłożyła decyzję, ponieważ kilku członków chciało mieć więcej czasu na przeczytanie raportu.",
    "Nasza nowa warstwa przechowywania zapisuje każde zdarzenie w tej samej transakcji co zmianę, która je spowodowała, więc nic nie ginie.",
  ],
  ru: [
    "Завтра утром нужно позвонить стоматологу.",
    "Комитет отложил решение, потому что несколько членов хотели больше времени, чтобы прочитать доклад.",
    "Наш новый слой хранения записывает каждое событие в той же транзакции, что и изменение, которое его вызвало, поэтому ничего не теряется.",
  ],
  tr: [
    "Yarın sabah dişçiyi aramam gerekiyor.",
    "Komite, birkaç üye raporu okumak için daha fazla zaman istediği için kararını erteledi.",
    "Yeni depolama katmanımız her olayı, ona neden olan yazma işlemiyle aynı işlemde saklar, böylece hiçbir şey kaybolmaz.",
  ],
};

export const languageSamples: readonly LanguageSample[] = Object.entries(SAMPLES).flatMap(
  ([language, texts]) => texts.map((text) => ({ language, text })),
);

/** The languages the samples cover, which are the ones SUM claims to detect. */
export const sampleLanguages: readonly string[] = Object.keys(SAMPLES);
