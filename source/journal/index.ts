export {journalVersion, JournalError, type Journal, type JournalHeader} from './header.ts';
export {journalDir} from './location.ts';
export {openJournal, reopenJournal, type JournalWriter, type NewJournal} from './write.ts';
export {readJournal} from './read.ts';
export {replayJournal, interruptedStep} from './replay.ts';
export {listSessions, type SessionSummary} from './sessions.ts';
