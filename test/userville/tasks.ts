import type { TaskHidden } from "../../src/userville/types";

/** Realistic tasks shared by the domain tests (effort labels, the simulator). */

/** SWE-bench Verified astropy__astropy-13033, abridged: the paper's running example. */
export const sweTask: TaskHidden = {
  family: "swe",
  prompt: `TimeSeries: misleading exception when required column check fails.

### Description
For a \`TimeSeries\` object that has additional required columns (in addition to \`time\`), when code mistakenly tries to remove a required column, the exception it produces is misleading.

### Expected behavior
An exception that informs the user that required columns are missing.

### Actual behavior
The actual exception message is confusing:
\`ValueError: TimeSeries object is invalid - expected 'time' as the first columns but found 'time'\`

### Steps to Reproduce
\`\`\`python
from astropy.time import Time
from astropy.timeseries import TimeSeries

time = Time(np.arange(100000, 100003), format='jd')
ts = TimeSeries(time=time, data={"flux": [99.9, 99.8, 99.7]})
ts._required_columns = ["time", "flux"]
ts.remove_column("flux")
\`\`\`

### System Details
Versions: Windows-10-10.0.22000-SP0, Python 3.9.10, Numpy 1.22.3, pyerfa 2.0.0.1, astropy 5.0.3, Scipy 1.8.0`,
  hint:
    "The required-columns check only compares the first few column names with the required ones, so removing a " +
    "required column other than time still produces a message about 'time'. Maintainers suggested raising a " +
    "clearer error that lists the missing required columns.",
  files: ["astropy/timeseries/core.py"],
  functions: ["astropy/timeseries/core.py::BaseTimeSeries._check_required_columns"],
};

/** A BrowseComp-Plus-style question with two gold evidence documents. */
export const researchTask: TaskHidden = {
  family: "research",
  prompt:
    "I'm looking for the name of a football stadium. The club that plays there was founded in 1907 in a coastal " +
    "city. Its record attendance was set during a cup match in the 1970s, and the stadium was renovated in 2019 " +
    "after the club's promotion. One of the club's former coaches was born in a fishing town and won a European " +
    "trophy as a player between 2005 and 2012.",
  documents: [
    "[DOC 4521] Estádio do Mar is a football stadium in Matosinhos, Portugal, home of Leixões S.C. since 1964. " +
      "It was renovated in 2019 and has a capacity of 16,035 seats.",
    "[DOC 8810] Leixões Sport Club is a Portuguese sports club founded on 28 November 1907 in Matosinhos. " +
      "The football team won the Taça de Portugal in 1961.",
  ],
  answer: "Estádio do Mar",
};
