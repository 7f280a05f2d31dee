// Which function draws which screen of the navigation.

import { showAdmin } from "./admin";
import { showCaseFiles } from "./casefiles";
import { showDigitise } from "./digitise";
import { showExchange } from "./exchange";
import { showHome } from "./home";
import { showPrint } from "./print";
import { showRegister } from "./register";
import { showSearch } from "./search";
import { showSigning } from "./signing";
import { defineScreen } from "./shell";

defineScreen("home", showHome);
defineScreen("digitise", showDigitise);
defineScreen("incoming", (root, desk, signal) => showRegister(root, desk, signal, "incoming"));
defineScreen("outgoing", (root, desk, signal) => showRegister(root, desk, signal, "outgoing"));
defineScreen("exchange", showExchange);
defineScreen("casefiles", showCaseFiles);
defineScreen("search", showSearch);
defineScreen("print", showPrint);
defineScreen("signing", (root, desk) => showSigning(root, desk));
defineScreen("admin", showAdmin);
