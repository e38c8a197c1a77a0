"""Requests in another language: the words the reader recognises them by and the two checks
(a whole request in another language is refused plainly; an English reading that failed next to
foreign words is one too). The offline planner reads English only."""

from __future__ import annotations

import re

# Words of other languages (Spanish, German, French, Portuguese, Italian, Dutch), and the
# main verbs, so a request in another language can be recognised and refused plainly.
FOREIGN_WORDS = frozenset([
    "verwijder", "ist", "veraltet", "bloquea", "nuevo", "proyecto", "quelle", "utilisons", "nous",
    "uppdatera", "alla", "beroenden", "el", "ta", "bort", "lägg", "till", "obnov", "vse",
    "zavisimosti", "ustanovi", "udali", "zapusti", "testy", "une", "avec", "sube", "todo", "pero",
    "versiones", "mayores", "neu", "erzeugen", "für", "von", "zu", "ein", "eine", "testes",
    "executa", "construis", "roue", "fichier", "verrouillage", "épingler", "comment", "mettre",
    "dependencias", "dependência", "dependências", "archivo", "bloqueo", "ejecuta", "corre",
    "pruebas", "instalar", "el", "los", "las", "una", "unos", "por", "favor", "actualiza",
    "actualizar", "actualice", "elimina", "eliminar", "quita", "quitar", "agrega", "agregar",
    "añade", "añadir", "instala", "paquete", "paquetes", "todas", "todos", "mis", "nuestras",
    "nuestros", "qué", "cómo", "hay", "están", "está", "vulnerabilidades", "seguridad", "también",
    "luego", "después", "bitte", "aktualisiere", "aktualisieren", "alle", "abhängigkeiten",
    "entferne", "entfernen", "füge", "hinzu", "installiere", "installieren", "paket", "pakete",
    "und", "ich", "wir", "mein", "meine", "unsere", "der", "das", "dem", "nicht", "auf",
    "neueste", "sicherheitslücken", "ausführen", "prüfe", "führe", "aus", "veraltet", "mets",
    "jour", "supprime", "supprimer", "ajoute", "ajouter", "installe", "installer", "dépendances",
    "paquets", "toutes", "tous", "est", "sont", "je", "nous", "vulnérabilités", "sécurité",
    "lance", "exécute", "s'il", "vous", "à", "atualize", "atualizar", "remova", "remover",
    "adicione", "adicionar", "pacotes", "aggiorna", "aggiornare", "rimuovi", "rimuovere",
    "aggiungi", "aggiungere", "pacchetti", "dipendenze", "tutte", "tutti", "bijwerken",
    "verwijder", "voeg", "toe", "pakketten", "afhankelijkheden", "alsjeblieft",
    "du", "kannst", "können", "sie", "mach", "mache", "alles", "fais", "faire", "mise", "les",
    "des", "tout", "todo", "actualizá", "puedes", "podrías", "pourrais", "peux", "tu", "kun",
    "jij", "graag", "puoi", "tutto",
    # Polish, Dutch, Italian, Portuguese, Czech, Swedish and Turkish: the common request words
    "proszę", "prosze", "usunąć", "usunac", "wszystkie", "zależności", "zaleznosci", "pakiet",
    "pakiety", "biblioteka", "bibliotekę", "biblioteke", "projektu", "uruchom", "sprawdź",
    "sprawdz", "czy", "są", "jest", "nie", "werk", "verouderd", "kwetsbaarheden", "draai",
    "uitvoeren", "controleer", "mijn", "onze", "welke", "zijn", "pakket", "bibliotheek", "niet",
    "het", "een", "aub", "vernieuwen", "verversen", "opnieuw", "tutte", "libreria", "pacchetto", "esegui", "controlla", "sono", "quali",
    "obsolete", "vulnerabilità", "favore", "atualize", "todas", "remova", "pacote", "biblioteca",
    "rode", "quais", "estão", "desatualizadas", "desatualizados", "não", "você", "aktualizuj",
    "všechny", "závislosti", "odstraň", "odstran", "přidej", "pridej", "balíček", "balicek",
    "knihovnu", "prosím", "prosim", "spusť", "spust", "jsou", "zastaralé", "uppdatera", "paketet",
    "biblioteket", "kör", "testerna", "vilka", "är", "föråldrade", "och", "inte", "snälla",
    "güncelle", "tüm", "bağımlılıkları", "bagimliliklari", "kaldır", "kaldir", "ekle", "paketi",
    "paketleri", "kütüphaneyi", "kutuphaneyi", "lütfen", "lutfen", "çalıştır", "calistir",
    "testleri", "hangi", "eski", "değil",
])
FOREIGN_VERBS: dict[str, str] = {
    "actualiza": "upgrade", "actualizar": "upgrade", "actualice": "upgrade",
    "aktualisiere": "upgrade", "aktualisieren": "upgrade", "mets à jour": "upgrade",
    "mettre à jour": "upgrade", "mettez à jour": "upgrade", "aggiorna": "upgrade",
    "atualize": "upgrade", "elimina": "remove", "quita": "remove", "entferne": "remove",
    "supprime": "remove", "rimuovi": "remove", "remova": "remove", "agrega": "add",
    "añade": "add", "instala": "add", "füge": "add", "installiere": "add", "ajoute": "add",
    "installe": "add", "aggiungi": "add", "adicione": "add", "verwijder": "remove",
    # Polish, Czech, Swedish, Turkish, Indonesian, Romanian and a few more Romance forms
    "zaktualizuj": "upgrade", "usuń": "remove", "usun": "remove", "dodaj": "add",
    "zainstaluj": "add", "aktualizuj": "upgrade", "odstraň": "remove", "přidej": "add",
    "uppdatera": "upgrade", "güncelle": "upgrade", "kaldır": "remove", "perbarui": "upgrade",
    "hapus": "remove", "tambahkan": "add", "actualizează": "upgrade", "șterge": "remove",
    "borra": "remove", "enlève": "remove", "lösche": "remove", "usunąć": "remove",
    "usunac": "remove", "odstran": "remove", "kaldir": "remove", "ekle": "add", "pridej": "add",
    "voeg": "add", "bijwerken": "upgrade", "werk": "upgrade", "atualizar": "upgrade",
}


def foreign_intent(text: str) -> str:
    """The intent of a request written in another language ("" when it is not one)."""
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())
    if not words:
        return ""
    non_latin = sum(1 for ch in text if ch.isalpha() and ord(ch) > 0x24F)
    hits = sum(1 for w in words if w in FOREIGN_WORDS)
    # any Latin letter with a diacritic (Polish ą ę ł, Czech ř š, Turkish ı ş ğ, ...)
    accented = sum(1 for w in words if re.search("[\u00c0-\u024f]", w))
    if non_latin >= 2 or re.search("[\u00bf\u00a1]", text) or (
            hits + accented >= 2 and (hits + accented) / len(words) >= 0.25) or \
            words[0] in FOREIGN_VERBS:
        lower = text.lower()
        verb = next((i for v, i in FOREIGN_VERBS.items() if v in lower), "")
        return verb or "?"
    return ""


def foreign_hint(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text.lower())
    return any(ord(ch) > 127 for ch in text if ch.isalpha()) or sum(
        w in FOREIGN_WORDS for w in words) >= 2
