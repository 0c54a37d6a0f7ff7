/** Realistic request bodies shared by route tests and the fuzz test. */
export const sweTask = {
  family: "swe" as const,
  prompt:
    "TimeSeries: misleading exception when required column check fails. For a TimeSeries object that has " +
    "additional required columns, removing a required column gives a confusing error: ValueError: TimeSeries " +
    "object is invalid - expected 'time' as the first columns but found 'time'. Expected: an exception that " +
    "says required columns are missing. Steps: ts._required_columns = ['time', 'flux']; ts.remove_column('flux'). " +
    "astropy 5.0.3, Python 3.9.10.",
  vague_prompt: "TimeSeries: removing column gives confusing error ...",
  hint: "The check lives in the required-columns validation of the base time series class.",
  files: ["astropy/timeseries/core.py"],
  functions: ["astropy/timeseries/core.py::BaseTimeSeries._check_required_columns"],
};

export const researchTask = {
  family: "research" as const,
  prompt:
    "Which football club, founded in the 1890s in a port city, won its first national league title in a season " +
    "when its manager was a former goalkeeper, and plays in a stadium renamed in 2004?",
  vague_prompt: "Which club won its first league title under a former goalkeeper?",
  documents: ["The club was founded in 1893 in Genoa; the stadium was renamed in 2004 ..."],
  answer: "Genoa CFC",
};

export const scoreBody = {
  task: sweTask,
  preference: "one_question",
  vague: true,
  profile: "code",
  prediction: ["astropy/timeseries/core.py::BaseTimeSeries._check_required_columns"],
  questions: [
    { text: "What error message do you get?", tier: "precise" },
    { text: "Which file should I edit? And which function?", tier: "idk" },
  ],
};

export const messagesBody = {
  task: sweTask,
  preference: "no_preference",
  vague: true,
  prediction: ["astropy/timeseries/core.py::BaseTimeSeries._check_required_columns"],
  messages: [
    { role: "system", content: "You are a coding agent." },
    { role: "user", content: "TimeSeries: removing column gives confusing error ..." },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        {
          id: "call_1",
          type: "function",
          function: { name: "ask_question", arguments: '{"query":"What error do you see?"}' },
        },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "It says expected 'time' but found 'time'.\n[Cost 1]" },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_2", type: "function", function: { name: "search", arguments: '{"q":"required"}' } },
      ],
    },
    { role: "tool", tool_call_id: "call_2", content: "core.py: _check_required_columns" },
  ],
};
