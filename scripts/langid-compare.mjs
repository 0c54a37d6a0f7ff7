#!/usr/bin/env node
// Compares npm language-identification libraries on the kind of text the lang_ita / lang_multi checkers
// see: short agent questions (5-15 words) and short clause fragments (2-6 words). Results: docs/langid.md.
//
//   node scripts/langid-compare.mjs [candidates-dir] [--misses]   (--misses lists every wrong answer)
//
// Candidates are NOT project dependencies: they are installed with `npm install --no-save` into
// candidates-dir (default: $LANGID_DIR or <os tmpdir>/userville-langid) on first run. Each candidate is
// bundled with the project's esbuild the way wrangler would bundle it for workerd (browser/worker
// conditions, minified), and the bundle itself is what gets timed and scored, so the size printed is the
// size the Worker would carry.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const PACKAGES = [
  "eld@2.1.0",
  "franc-min@6.2.0",
  "franc@6.2.0",
  "tinyld@1.3.4",
  "lande@1.0.10",
  "languagedetect@2.0.0",
];

const ISO3 = { ita: "it", spa: "es", por: "pt", fra: "fr", eng: "en", deu: "de" };
const iso2 = (code) => ISO3[code] ?? code;

// Each adapter returns an ISO 639-1 code (or anything else for "not one of ours").
const CANDIDATES = {
  "eld/extrasmall": `import { eld } from "eld/extrasmall"; export const detect = (t) => eld.detect(t).language;`,
  "eld/small": `import { eld } from "eld/small"; export const detect = (t) => eld.detect(t).language;`,
  "eld/medium": `import { eld } from "eld/medium"; export const detect = (t) => eld.detect(t).language;`,
  "eld/large": `import { eld } from "eld/large"; export const detect = (t) => eld.detect(t).language;`,
  // franc refuses text under 10 chars by default; the fragments need less.
  "franc-min": `import { franc } from "franc-min"; export const detect = (t) => franc(t, { minLength: 3 });`,
  franc: `import { franc } from "franc"; export const detect = (t) => franc(t, { minLength: 3 });`,
  "tinyld/light": `import { detect as d } from "tinyld/light"; export const detect = (t) => d(t);`,
  tinyld: `import { detect as d } from "tinyld"; export const detect = (t) => d(t);`,
  "tinyld/heavy": `import { detect as d } from "tinyld/heavy"; export const detect = (t) => d(t);`,
  lande: `import lande from "lande"; export const detect = (t) => lande(t)[0]?.[0] ?? "";`,
  languagedetect: `import LD from "languagedetect"; const ld = new LD(); ld.setLanguageType("iso2");
    export const detect = (t) => ld.detect(t, 1)[0]?.[0] ?? "";`,
};

// Parallel realistic clarifying questions (SWE-bench and BrowseComp-style), 5-15 words each.
const QUESTIONS = {
  en: [
    "Which Python version are you running when the error happens?",
    "Should the fix also handle columns that are removed twice?",
    "Do you want me to keep backward compatibility with the old API?",
    "Is the failing test in the timeseries module or somewhere else?",
    "What exact error message do you see after removing the column?",
    "Are you looking for the original publication date of the article?",
    "Which country was the author born in, if you remember?",
    "Can you tell me which function raises the confusing exception?",
    "Should I update the documentation together with the code change?",
    "Did this behaviour start after upgrading to the latest release?",
    "Do you know roughly which decade the event took place?",
    "Is the expected output a list of function names?",
    "Would you prefer a minimal patch or a broader refactor?",
    "Which database backend are you using in production?",
    "Was the player a goalkeeper or an outfield player?",
    "How should empty input be handled by the parser?",
    "Is this bug reproducible on Windows as well as Linux?",
    "Which file should I look at first for this issue?",
    "Do you need the answer as a full name or surname only?",
    "May I assume the configuration file is valid YAML?",
  ],
  it: [
    "Quale versione di Python stai usando quando compare l'errore?",
    "La correzione deve gestire anche le colonne rimosse due volte?",
    "Vuoi che mantenga la compatibilità con la vecchia interfaccia?",
    "Il test che fallisce si trova nel modulo timeseries?",
    "Che messaggio di errore vedi esattamente dopo aver rimosso la colonna?",
    "Stai cercando la data di pubblicazione originale dell'articolo?",
    "In quale paese è nato l'autore, se te lo ricordi?",
    "Puoi dirmi quale funzione solleva l'eccezione poco chiara?",
    "Devo aggiornare anche la documentazione insieme alla modifica del codice?",
    "Il problema è iniziato dopo l'aggiornamento all'ultima versione?",
    "Sai più o meno in quale decennio è avvenuto l'evento?",
    "Il risultato atteso è un elenco di nomi di funzioni?",
    "Preferisci una modifica minima oppure una ristrutturazione più ampia?",
    "Quale database usate in produzione?",
    "Il giocatore era un portiere o un giocatore di movimento?",
    "Come deve comportarsi il parser quando l'input è vuoto?",
    "Questo errore si riproduce anche su Windows oltre che su Linux?",
    "Da quale file dovrei cominciare per questo problema?",
    "Ti serve il nome completo oppure solo il cognome?",
    "Posso supporre che il file di configurazione sia valido?",
  ],
  // Italian as developers write it: English loanwords must not flip the verdict.
  "it+loan": [
    "Il bug compare solo quando fai il commit dopo il merge?",
    "Devo aprire una pull request separata per il fix?",
    "Il file di log mostra uno stack trace completo?",
    "Posso fare il refactoring della funzione oppure serve solo un hotfix?",
    "Il test fallisce anche in locale o solo nella pipeline CI?",
    "Vuoi che aggiunga un unit test per questo edge case?",
    "Il backend restituisce un errore quando il payload è vuoto?",
    "Quale branch devo usare come base per la patch?",
    "Il crash avviene durante il build o durante il deploy?",
    "Serve aggiornare anche il README con il nuovo workflow?",
    "Il dataset è in formato CSV oppure JSON?",
    "Hai già provato a fare il rollback del commit precedente?",
    "Il frontend chiama questo endpoint con un token valido?",
    "Devo mantenere la retrocompatibilità del framework o posso rompere l'API?",
    "Il timeout del server scatta prima o dopo il login?",
    "Lo script di setup installa le dipendenze nel virtualenv?",
    "La feature deve funzionare anche in modalità offline?",
    "Il warning appare ad ogni run oppure solo ogni tanto?",
    "Posso ignorare i file di cache durante il debug?",
    "Il report finale deve includere anche i benchmark di performance?",
  ],
  es: [
    "¿Qué versión de Python usas cuando aparece el error?",
    "¿La corrección debe manejar también las columnas eliminadas dos veces?",
    "¿Quieres que mantenga la compatibilidad con la interfaz antigua?",
    "¿El test que falla está en el módulo timeseries?",
    "¿Qué mensaje de error ves exactamente después de eliminar la columna?",
    "¿Buscas la fecha de publicación original del artículo?",
    "¿En qué país nació el autor, si lo recuerdas?",
    "¿Puedes decirme qué función lanza la excepción confusa?",
    "¿Debo actualizar también la documentación junto con el cambio de código?",
    "¿El problema empezó después de actualizar a la última versión?",
    "¿Sabes más o menos en qué década ocurrió el evento?",
    "¿El resultado esperado es una lista de nombres de funciones?",
    "¿Prefieres un cambio mínimo o una refactorización más amplia?",
    "¿Qué base de datos usan en producción?",
    "¿El jugador era portero o jugador de campo?",
    "¿Cómo debe comportarse el parser cuando la entrada está vacía?",
    "¿Este error se reproduce también en Windows además de Linux?",
    "¿Por cuál archivo debería empezar para este problema?",
    "¿Necesitas el nombre completo o solo el apellido?",
    "¿Puedo suponer que el archivo de configuración es válido?",
  ],
  pt: [
    "Qual versão do Python você usa quando o erro aparece?",
    "A correção também deve tratar colunas removidas duas vezes?",
    "Você quer que eu mantenha a compatibilidade com a interface antiga?",
    "O teste que falha está no módulo timeseries?",
    "Que mensagem de erro você vê exatamente depois de remover a coluna?",
    "Você procura a data de publicação original do artigo?",
    "Em que país o autor nasceu, se você se lembra?",
    "Pode me dizer qual função lança a exceção confusa?",
    "Devo atualizar também a documentação junto com a mudança no código?",
    "O problema começou depois da atualização para a última versão?",
    "Você sabe mais ou menos em que década o evento aconteceu?",
    "O resultado esperado é uma lista de nomes de funções?",
    "Prefere uma alteração mínima ou uma refatoração mais ampla?",
    "Qual banco de dados vocês usam em produção?",
    "O jogador era goleiro ou jogador de linha?",
    "Como o parser deve se comportar quando a entrada está vazia?",
    "Esse erro também acontece no Windows além do Linux?",
    "Por qual arquivo eu deveria começar para este problema?",
    "Você precisa do nome completo ou só do sobrenome?",
    "Posso supor que o arquivo de configuração é válido?",
  ],
  fr: [
    "Quelle version de Python utilisez-vous quand l'erreur apparaît ?",
    "La correction doit-elle aussi gérer les colonnes supprimées deux fois ?",
    "Voulez-vous que je garde la compatibilité avec l'ancienne interface ?",
    "Le test qui échoue se trouve-t-il dans le module timeseries ?",
    "Quel message d'erreur voyez-vous exactement après la suppression de la colonne ?",
    "Cherchez-vous la date de publication originale de l'article ?",
    "Dans quel pays l'auteur est-il né, si vous vous en souvenez ?",
    "Pouvez-vous me dire quelle fonction lève l'exception confuse ?",
    "Dois-je aussi mettre à jour la documentation avec le changement de code ?",
    "Le problème a-t-il commencé après la mise à jour vers la dernière version ?",
    "Savez-vous à peu près dans quelle décennie l'événement a eu lieu ?",
    "Le résultat attendu est-il une liste de noms de fonctions ?",
    "Préférez-vous un correctif minimal ou une refonte plus large ?",
    "Quelle base de données utilisez-vous en production ?",
    "Le joueur était-il gardien de but ou joueur de champ ?",
    "Comment le parseur doit-il se comporter quand l'entrée est vide ?",
    "Cette erreur se reproduit-elle aussi sous Windows en plus de Linux ?",
    "Par quel fichier devrais-je commencer pour ce problème ?",
    "Avez-vous besoin du nom complet ou seulement du nom de famille ?",
    "Puis-je supposer que le fichier de configuration est valide ?",
  ],
  de: [
    "Welche Python-Version verwendest du, wenn der Fehler auftritt?",
    "Soll die Korrektur auch zweimal entfernte Spalten behandeln?",
    "Soll ich die Kompatibilität mit der alten Schnittstelle beibehalten?",
    "Liegt der fehlschlagende Test im Modul timeseries?",
    "Welche Fehlermeldung siehst du genau nach dem Entfernen der Spalte?",
    "Suchst du das ursprüngliche Veröffentlichungsdatum des Artikels?",
    "In welchem Land wurde der Autor geboren, falls du dich erinnerst?",
    "Kannst du mir sagen, welche Funktion die verwirrende Ausnahme auslöst?",
    "Soll ich die Dokumentation zusammen mit der Codeänderung aktualisieren?",
    "Hat das Problem nach dem Update auf die neueste Version begonnen?",
    "Weißt du ungefähr, in welchem Jahrzehnt das Ereignis stattfand?",
    "Ist die erwartete Ausgabe eine Liste von Funktionsnamen?",
    "Bevorzugst du einen minimalen Patch oder ein größeres Refactoring?",
    "Welche Datenbank verwendet ihr in der Produktion?",
    "War der Spieler Torwart oder Feldspieler?",
    "Wie soll sich der Parser bei leerer Eingabe verhalten?",
    "Tritt dieser Fehler auch unter Windows und nicht nur unter Linux auf?",
    "Mit welcher Datei sollte ich bei diesem Problem anfangen?",
    "Brauchst du den vollständigen Namen oder nur den Nachnamen?",
    "Darf ich annehmen, dass die Konfigurationsdatei gültig ist?",
  ],
};

// What lang_multi sees after splitting a mixed question at clause boundaries: 2-6 words per piece.
const FRAGMENTS = {
  en: [
    "which file is failing",
    "could you tell me",
    "the error happens when",
    "and what did you expect",
    "is it the latest version",
    "where is the config stored",
    "please share the traceback",
    "before or after the upgrade",
  ],
  it: [
    "quale file sta fallendo",
    "potresti dirmi per favore",
    "l'errore succede quando",
    "e cosa ti aspettavi",
    "è l'ultima versione",
    "dove si trova la configurazione",
    "mandami il messaggio di errore",
    "prima o dopo l'aggiornamento",
  ],
  es: [
    "qué archivo está fallando",
    "podrías decirme por favor",
    "el error ocurre cuando",
    "y qué esperabas",
    "es la última versión",
    "dónde se guarda la configuración",
    "comparte el mensaje de error",
    "antes o después de la actualización",
  ],
  pt: [
    "qual arquivo está falhando",
    "você poderia me dizer",
    "o erro acontece quando",
    "e o que você esperava",
    "é a versão mais recente",
    "onde fica a configuração",
    "compartilhe a mensagem de erro",
    "antes ou depois da atualização",
  ],
  fr: [
    "quel fichier échoue",
    "pourriez-vous me dire",
    "l'erreur se produit quand",
    "et qu'attendiez-vous",
    "est-ce la dernière version",
    "où est stockée la configuration",
    "partagez le message d'erreur",
    "avant ou après la mise à jour",
  ],
  de: [
    "welche Datei schlägt fehl",
    "könntest du mir sagen",
    "der Fehler tritt auf wenn",
    "und was hast du erwartet",
    "ist das die neueste Version",
    "wo liegt die Konfiguration",
    "schick mir die Fehlermeldung",
    "vor oder nach dem Update",
  ],
};

const truth = (group) => group.split("+")[0];

function ensureCandidates(dir) {
  const missing = PACKAGES.some((p) => !existsSync(path.join(dir, "node_modules", p.replace(/@[^@]*$/, ""))));
  if (!missing) return;
  mkdirSync(dir, { recursive: true });
  console.error(`installing candidates into ${dir} ...`);
  execFileSync("npm", ["install", "--no-save", "--no-package-lock", "--prefix", dir, ...PACKAGES], {
    stdio: "inherit",
  });
}

async function bundle(dir, name, source) {
  const outfile = path.join(dir, "bundles", `${name.replace(/\W+/g, "_")}.mjs`);
  await build({
    stdin: { contents: source, resolveDir: dir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    // What wrangler resolves for workerd.
    conditions: ["workerd", "worker", "browser", "import", "default"],
    mainFields: ["browser", "module", "main"],
    outfile,
    logLevel: "error",
  });
  const bytes = readFileSync(outfile);
  return { outfile, minified: statSync(outfile).size, gzip: gzipSync(bytes).length };
}

function score(detect, sets) {
  const perGroup = {};
  let correct = 0;
  let total = 0;
  let itBinaryCorrect = 0;
  const misses = [];
  for (const [group, texts] of Object.entries(sets)) {
    let ok = 0;
    for (const text of texts) {
      const got = iso2(detect(text));
      const want = truth(group);
      if (got === want) ok++;
      else misses.push(`${group}→${got || "?"}: ${text}`);
      if ((got === "it") === (want === "it")) itBinaryCorrect++;
    }
    perGroup[group] = ok / texts.length;
    correct += ok;
    total += texts.length;
  }
  return { perGroup, overall: correct / total, itBinary: itBinaryCorrect / total, misses };
}

const pct = (x) => `${(x * 100).toFixed(0)}%`;
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;

async function main() {
  const args = process.argv.slice(2);
  const dirArg = args.find((a) => !a.startsWith("--"));
  const dir = path.resolve(dirArg ?? process.env.LANGID_DIR ?? path.join(os.tmpdir(), "userville-langid"));
  ensureCandidates(dir);
  const verbose = args.includes("--misses");
  const rows = [];
  for (const [name, source] of Object.entries(CANDIDATES)) {
    const size = await bundle(dir, name, source);
    const t0 = performance.now();
    const { detect } = await import(pathToFileURL(size.outfile).href);
    detect("warm up the detector please");
    const initMs = performance.now() - t0;
    const q = score(detect, QUESTIONS);
    const f = score(detect, FRAGMENTS);
    rows.push({ name, size, initMs, q, f });
    if (verbose) console.error(`\n# ${name}\n${[...q.misses, ...f.misses].join("\n")}`);
  }
  const groups = Object.keys(QUESTIONS);
  console.log(`| library | ${groups.join(" | ")} | questions | it-vs-rest | fragments | min | gzip | init |`);
  console.log(`|${" --- |".repeat(groups.length + 8)}`);
  for (const r of rows) {
    const cells = groups.map((g) => pct(r.q.perGroup[g]));
    console.log(
      `| ${r.name} | ${cells.join(" | ")} | ${pct(r.q.overall)} | ${pct(r.q.itBinary)} | ${pct(r.f.overall)} | ` +
        `${kib(r.size.minified)} | ${kib(r.size.gzip)} | ${r.initMs.toFixed(0)} ms |`,
    );
  }
  const n = Object.values(QUESTIONS).flat().length;
  const m = Object.values(FRAGMENTS).flat().length;
  console.log(`\n${n} questions, ${m} fragments; init = import + first detect() in node ${process.version}.`);
}

await main();
