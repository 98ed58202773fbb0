// Home page: the flows, the agent's status, the login box in the header.
import { initPage } from "/static/portal.js";

initPage("home", { agent: true });
