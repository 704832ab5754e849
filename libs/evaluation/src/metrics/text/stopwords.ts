/**
 * English function words, in the normalised form of ./normalise.ts (lowercase, apostrophes deleted:
 * "don't" is "dont"). Close to the usual NLTK list. The lexical RAG metrics drop these so that a
 * context does not look relevant merely because it also contains "is", "of" and "which".
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  `
  i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
  she her hers herself it its itself they them their theirs themselves what which who whom whose
  this that these those am is are was were be been being have has had having do does did doing
  a an the and but if or because as until while of at by for with about against between into
  through during before after above below to from up down in out on off over under again further
  then once here there when where why how all any both each few more most other some such no nor
  not only own same so than too very s t can will just don should now d ll m o re ve y
  would could might must shall may also yet ever per via
  im ive id youre youve youd hes shes theyre theyve thats theres whats lets
  dont doesnt didnt isnt arent wasnt werent hasnt havent hadnt wont wouldnt cant couldnt
  shouldnt mustnt neednt
  `
    .split(/\s+/u)
    .filter((word) => word !== ''),
);
